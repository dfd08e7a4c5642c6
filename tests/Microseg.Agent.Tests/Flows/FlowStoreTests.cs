using Microseg.Agent.Flows;
using Microseg.Datapath.Abi;
using Microseg.Flows.Records;
using Microseg.TestSupport;
using Microsoft.Extensions.Logging.Abstractions;

namespace Microseg.Agent.Tests.Flows;

public sealed class FlowStoreTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("flowstore-").FullName;

    private string GraphPath => Path.Combine(_directory, FlowStore.GraphFileName);

    private static FlowEvent Event(ushort port) => new()
    {
        Kind = FlowEventKind.NewFlow,
        Direction = Direction.Ingress,
        Protocol = 6,
        LocalAddr = IpAddress16.From(System.Net.IPAddress.Parse("10.0.0.2")),
        RemoteAddr = IpAddress16.From(System.Net.IPAddress.Parse("10.0.0.1")),
        LocalPort = System.Buffers.Binary.BinaryPrimitives.ReverseEndianness(port),
        PolicyPort = port,
        LocalIdentity = 1000,
        RemoteIdentity = AbiConstants.IdentityWorld,
        Verdict = Verdict.WouldDeny,
        Reason = VerdictReason.PolicyDefault,
    };

    [Fact]
    public void Recent_flows_keep_the_newest_oldest_first()
    {
        var recent = new RecentFlows(3);
        for (var i = 1; i <= 5; i++)
            recent.Add(new FlowRecord { LocalPort = (ushort)i, LocalIdentity = "a", RemoteIdentity = "b" });

        Assert.Equal([3, 4, 5], recent.Newest(10).Select(r => (int)r.LocalPort));
        Assert.Equal([4, 5], recent.Newest(2).Select(r => (int)r.LocalPort));
        Assert.Equal(5, recent.Added);
    }

    [Fact]
    public void Events_feed_the_graph_the_ring_and_a_saved_graph_is_loaded_again()
    {
        var store = new FlowStore(GraphPath, () => null, null, NullLogger.Instance);
        store.Add(Event(5432));
        store.Add(Event(5432));
        store.Add(Event(22));

        Assert.Equal(3, store.Recent(100).Length);
        Assert.Single(store.Monitor().Groups, g => g.Port == 5432);
        Assert.True(store.Save());

        var again = new FlowStore(GraphPath, () => null, null, NullLogger.Instance);
        Assert.Contains("\"port\": 5432", again.GraphJson(), StringComparison.Ordinal);
        Assert.Empty(again.Recent(100));
    }

    [Fact]
    public void An_event_on_a_known_edge_allocates_nothing()
    {
        var store = new FlowStore(null, () => null, null, NullLogger.Instance);
        var flowEvent = Event(5432);
        for (var i = 0; i < 100; i++)
            store.Add(in flowEvent); // the edge, the node and the JIT's first calls

        Assert.Equal(0, Allocations.FewestInAnyWindow(() =>
        {
            for (var i = 0; i < 10_000; i++)
                store.Add(in flowEvent);
        }));
    }

    [Fact]
    public void A_corrupt_graph_is_set_aside_not_fatal()
    {
        File.WriteAllText(GraphPath, "{ not json");

        var store = new FlowStore(GraphPath, () => null, null, NullLogger.Instance);

        Assert.Contains("\"edges\": []", store.GraphJson(), StringComparison.Ordinal);
        Assert.False(File.Exists(GraphPath));
        Assert.Single(Directory.GetFiles(_directory, FlowStore.GraphFileName + ".corrupt-*"));
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);
}
