using Microseg.TestSupport;
using Microseg.Agent.Attribution;
using Microseg.Agent.Events;
using Microseg.Agent.Flows;
using Microseg.Datapath.Abi;
using Microseg.Flows.Records;
using Microsoft.Extensions.Logging.Abstractions;

namespace Microseg.Agent.Tests.Attribution;

/// <summary>The daemon's flow store with attribution: named later off the event thread, cached listeners at no cost, drops counted.</summary>
public sealed class FlowStoreAttributionTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("attribution-").FullName;

    /// <summary>Answers every flow as a listener of "web.service" (ports below 1024) or nothing, counting calls; can be held.</summary>
    private sealed class FakeResolver : ILocalUnitResolver
    {
        public readonly ManualResetEventSlim Go = new(initialState: true);
        public int Calls;

        public LocalUnitLookup Resolve(in FlowRecord record)
        {
            Go.Wait();
            Interlocked.Increment(ref Calls);
            return record.LocalPort < 1024 ? new LocalUnitLookup("web.service", Shared: true, Found: true) : default;
        }

        public void Dispose() => Go.Dispose();
    }

    private static FlowEvent Event(ushort localPort, ushort remotePort = 40000) => new()
    {
        Kind = FlowEventKind.NewFlow,
        Direction = Direction.Ingress,
        Protocol = 6,
        LocalAddr = IpAddress16.Parse("10.0.0.2"),
        RemoteAddr = IpAddress16.Parse("10.0.0.1"),
        LocalPort = System.Buffers.Binary.BinaryPrimitives.ReverseEndianness(localPort),
        RemotePort = System.Buffers.Binary.BinaryPrimitives.ReverseEndianness(remotePort),
        PolicyPort = localPort,
        LocalIdentity = 1000,
        RemoteIdentity = AbiConstants.IdentityWorld,
        Verdict = Verdict.Allow,
        Reason = VerdictReason.PolicyDefault,
    };

    private static void WaitFor(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (!condition() && DateTime.UtcNow < deadline)
            Thread.Sleep(5);
        Assert.True(condition());
    }

    [Fact]
    public void A_new_flow_is_counted_at_once_and_named_in_the_graph_the_ring_and_the_log_when_resolved()
    {
        string log = Path.Combine(_directory, "flows.jsonl");
        var resolver = new FakeResolver();
        resolver.Go.Reset();
        using var attributor = new FlowAttributor(resolver, NullLogger.Instance);
        using (var writer = new FlowLogWriter(log))
        {
            var store = new FlowStore(null, () => null, writer, NullLogger.Instance, attributor: attributor);
            store.Add(Event(443));

            Assert.Contains("\"flows\": 1", store.GraphJson()); // counted before it is named
            Assert.Null(Assert.Single(store.Recent(10)).LocalUnit);
            resolver.Go.Set();
            WaitFor(() => store.Recent(10)[0].LocalUnit is not null);

            Assert.Equal("web.service", store.Recent(10)[0].LocalUnit);
            Assert.Contains("\"localUnits\": [\n        \"web.service\"", store.GraphJson().Replace("\r", ""));
            store.Add(Event(443, remotePort: 40001)); // the listener is cached now: named at once
            store.Add(Event(8080)); // nothing listens: no unit
            WaitFor(() => attributor.Stats.Unnamed == 1);
            store.StopAttribution();
            store.Flush();
        }

        var lines = File.ReadAllLines(log).Select(FlowRecordJson.Parse).ToList();
        Assert.Equal(["web.service", "web.service", null], lines.Select(r => r.LocalUnit));
        Assert.Equal(2, resolver.Calls);
        Assert.Equal(new AttributionStats(Queued: 2, Named: 1, Unnamed: 1, Dropped: 0, CacheHits: 1), attributor.Stats);
    }

    [Fact]
    public void A_full_queue_drops_the_naming_not_the_flow()
    {
        var resolver = new FakeResolver();
        resolver.Go.Reset();
        using var attributor = new FlowAttributor(resolver, NullLogger.Instance, queueCapacity: 2);
        var store = new FlowStore(null, () => null, null, NullLogger.Instance, attributor: attributor);
        for (ushort port = 2000; port < 2010; port++)
            store.Add(Event(port));

        Assert.Equal(10, store.Recent(100).Length);
        Assert.InRange(attributor.Stats.Dropped, 7, 8); // the thread may have taken one off the queue already
        resolver.Go.Set();
    }

    [Fact]
    public void An_event_named_from_the_cache_allocates_nothing()
    {
        using var attributor = new FlowAttributor(new FakeResolver(), NullLogger.Instance);
        var store = new FlowStore(null, () => null, null, NullLogger.Instance, attributor: attributor);
        var flowEvent = Event(443);
        store.Add(in flowEvent);
        WaitFor(() => attributor.Stats.Named == 1);
        for (var i = 0; i < 100; i++)
            store.Add(in flowEvent); // the JIT's first calls

        Assert.Equal(0, Allocations.FewestInAnyWindow(() =>
        {
            for (var i = 0; i < 10_000; i++)
                store.Add(in flowEvent);
        }));
        Assert.Equal("web.service", store.Recent(1)[0].LocalUnit);
    }

    [Fact]
    public void Queueing_a_flow_allocates_nothing()
    {
        var resolver = new FakeResolver();
        resolver.Go.Reset(); // nothing is taken off the queue
        using var attributor = new FlowAttributor(resolver, NullLogger.Instance, queueCapacity: 20_000);
        attributor.Start((_, _) => { }, () => { });
        var record = new FlowRecord { Protocol = 6, LocalIdentity = "web", RemoteIdentity = "world", LocalPort = 5000 };
        for (var i = 0; i < 100; i++)
            attributor.TryQueue(in record, i);

        // Five windows of 3,000 queued stay within the queue: every one measures queueing, not dropping.
        Assert.Equal(0, Allocations.FewestInAnyWindow(() =>
        {
            for (var i = 0; i < 10_000; i++)
                attributor.TryCached(in record, out _);
            for (var i = 0; i < 3_000; i++)
                attributor.TryQueue(in record, i);
        }));
        resolver.Go.Set();
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);
}
