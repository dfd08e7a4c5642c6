using Microseg.Agent.Events;
using Microseg.Agent.Flows;
using Microseg.Datapath.Abi;
using Microseg.Datapath.Fixtures;
using Microseg.Datapath.Loading;
using Microseg.Datapath.Slots;
using Microseg.Policy.Compilation;
using Microseg.TestSupport;
using Microsoft.Extensions.Logging.Abstractions;
using static Microseg.Datapath.Fixtures.FixtureWorld;

namespace Microseg.Agent.Tests.Events;

/// <summary>
/// Shutdown with events in flight: the drain handles every event it read, flushes the store
/// last, and nothing touches the store after <see cref="EventDrain.StopAsync"/> returns.
/// </summary>
public sealed class EventDrainShutdownTests
{
    private const int Events = 40;

    [PrivilegedFact]
    public async Task The_store_is_flushed_after_the_last_event_it_read_and_never_touched_again()
    {
        using var directory = new Control.TempDirectory("drain-");
        using var datapath = LoadedDatapath.Load(new DatapathOptions
        {
            ObjectDirectory = Path.GetDirectoryName(ArtifactPaths.BpfObject("xdp_ingress"))!,
            Capacities = FixtureCapacities.Small,
        });
        new SlotWriter(datapath.Maps).Apply(StandardPolicy.Seed().Build());
        // Allowed new flows: one event each, never rate-limited.
        for (var i = 0; i < Events; i++)
            FixtureRunner.RunStep(datapath, FixtureStep.In(PacketBuilder.Ip(Api4, Web4).Tcp((ushort)(40000 + i), 80)));

        // The store asks for the live policy once per event: the first one stalls the drain
        // past any fixed wait a shutdown might give it.
        var handled = 0;
        using var inFlight = new ManualResetEventSlim();
        CompiledPolicy? LivePolicy()
        {
            if (Interlocked.Increment(ref handled) == 1)
            {
                inFlight.Set();
                Thread.Sleep(TimeSpan.FromSeconds(3));
            }
            return null;
        }
        var logPath = directory.File("flows.jsonl");
        using var flowLog = new FlowLogWriter(logPath);
        var store = new FlowStore(null, LivePolicy, flowLog, NullLogger.Instance);
        using var drain = new EventDrain(datapath.Maps, store, NullLogger<EventDrain>.Instance);

        await drain.StartAsync(CancellationToken.None);
        Assert.True(inFlight.Wait(TimeSpan.FromSeconds(10)), "the drain never read an event");
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await drain.StopAsync(deadline.Token);
        var handledAtStop = Volatile.Read(ref handled);
        var linesAtStop = File.ReadAllLines(logPath).Length;

        Thread.Sleep(TimeSpan.FromSeconds(4));
        Assert.Equal(handledAtStop, Volatile.Read(ref handled));
        Assert.Equal(Events, drain.Delivered);
        Assert.Equal(Events, handledAtStop);
        Assert.Equal(Events, linesAtStop);
    }
}
