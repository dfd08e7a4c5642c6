using System.Runtime.InteropServices;
using BenchmarkDotNet.Attributes;
using Microseg.Datapath.Abi;
using Microseg.Flows.Records;

namespace Microseg.Bench.HotPaths;

/// <summary>
/// What microsegd does per ring-buffer record: read the raw record as a flow event and decode
/// it into a flow record with names. 1,024 records per operation, as a drain delivers them.
/// </summary>
[MemoryDiagnoser]
public class EventDecodingBenchmarks
{
    public const int RecordsPerOperation = 1024;
    private readonly byte[] _records = new byte[RecordsPerOperation * 96];
    private readonly FlowEventDecoder _decoder = new();
    private readonly IdentityNames _names = new(
        new Dictionary<uint, string> { [300] = "web", [301] = "api" },
        new Dictionary<uint, string> { [1] = "web-to-api" });

    [GlobalSetup]
    public void Setup()
    {
        var events = MemoryMarshal.Cast<byte, FlowEvent>(_records.AsSpan());
        for (var i = 0; i < events.Length; i++)
        {
            events[i].TimestampNs = (ulong)i;
            events[i].LocalIdentity = 300;
            events[i].RemoteIdentity = 301;
            events[i].RuleId = 1;
            events[i].Kind = FlowEventKind.NewFlow;
            events[i].Verdict = Verdict.Allow;
            events[i].Protocol = 6;
            events[i].LocalAddr = IpAddress16.Parse("10.77.0.10");
            events[i].RemoteAddr = IpAddress16.Parse("10.77.0.20");
        }
    }

    [Benchmark]
    public ulong DecodeRecords()
    {
        ulong checksum = 0;
        for (var offset = 0; offset < _records.Length; offset += 96)
        {
            if (FlowEvent.TryRead(_records.AsSpan(offset, 96), out var e))
                checksum += _decoder.Decode(e, _names).Packets + e.TimestampNs;
        }
        return checksum;
    }
}
