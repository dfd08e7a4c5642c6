using System.Buffers.Binary;
using BenchmarkDotNet.Attributes;
using Microseg.Bpf;
using Microseg.Datapath.Abi;
using Microseg.Datapath.Loading;

namespace Microseg.Bench.HotPaths;

/// <summary>
/// Typed map access as the policy writer uses it, on the datapath's own ms_remote_hosts: a
/// batch update of 4,096 address-to-identity entries, and 4,096 single lookups. Needs root
/// and artifacts/bpf.
/// </summary>
[MemoryDiagnoser]
public class MapBatchUpdateBenchmarks
{
    public const int EntriesPerBatch = 4096;
    internal static string ObjectDirectory = "";

    private LoadedDatapath? _datapath;
    private BpfMap<AddressKey, IdentityValue>? _map;
    private readonly AddressKey[] _keys = new AddressKey[EntriesPerBatch];
    private readonly IdentityValue[] _values = new IdentityValue[EntriesPerBatch];

    [GlobalSetup]
    public void Setup()
    {
        _datapath = LoadedDatapath.Load(new DatapathOptions
        {
            ObjectDirectory = ObjectDirectory,
            Capacities = DatapathCapacities.Default with { RemoteHostsPerSlot = EntriesPerBatch },
        });
        _map = _datapath.Maps.RemoteHosts;
        Span<byte> v4 = stackalloc byte[4];
        for (var i = 0; i < EntriesPerBatch; i++)
        {
            BinaryPrimitives.WriteUInt32BigEndian(v4, 0x0A000000u + (uint)i);
            _keys[i] = new AddressKey { Addr = IpAddress16.From(new System.Net.IPAddress(v4)), Slot = 0 };
            _values[i] = new IdentityValue { Identity = 256 + (uint)i };
        }
    }

    [Benchmark]
    public int UpdateBatch() => _map!.UpdateBatch(_keys, _values);

    [Benchmark]
    public uint LookupEach()
    {
        uint sum = 0;
        foreach (ref readonly var key in _keys.AsSpan())
        {
            if (_map!.TryLookup(key, out var value))
                sum += value.Identity;
        }
        return sum;
    }

    [GlobalCleanup]
    public void Cleanup() => _datapath?.Dispose();
}
