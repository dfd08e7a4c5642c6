using System.Diagnostics;
using Microseg.Datapath.Abi;
using Microseg.Datapath.Fixtures;
using Microseg.Datapath.Loading;
using Microseg.Datapath.Slots;
using Microseg.TestSupport;
using static Microseg.Datapath.Fixtures.FixtureWorld;

namespace Microseg.Datapath.Tests;

/// <summary>
/// Flips between two policies thousands of times while another core keeps the program busy,
/// and checks every verdict came from exactly one policy. The two policies differ in the
/// local endpoint's identity, the remote's identity and the rules, and each table also holds
/// a rule for every mixed combination (an identity from one policy met in the other's rules),
/// so a packet that saw a mix lands on a rule counter that must stay at zero.
/// </summary>
public sealed class AtomicityTests(Xunit.Abstractions.ITestOutputHelper output)
{
    private const uint EndpointA = 300, EndpointB = 310, RemoteA = 301, RemoteB = 302;
    private const uint AllowA = 1, DenyB = 2;
    private static readonly uint[] MixedRules = [3, 4, 5, 6, 7, 8];

    [PrivilegedFact]
    public void EveryVerdictComesFromExactlyOnePolicy()
    {
        using var datapath = LoadedDatapath.Load(DatapathObjects.Options(FixtureCapacities.Small));
        var writer = new SlotWriter(datapath.Maps);
        writer.Apply(Policy(EndpointA, RemoteA, consistent: (AllowA, RuleActionKind.Allow),
            mixed: [(EndpointA, RemoteB, 4), (EndpointB, RemoteA, 5), (EndpointB, RemoteB, 6)]));
        var slotA = writer.ActiveSlot;
        writer.Apply(Policy(EndpointB, RemoteB, consistent: (DenyB, RuleActionKind.Deny),
            mixed: [(EndpointA, RemoteA, 3), (EndpointA, RemoteB, 7), (EndpointB, RemoteA, 8)]));
        var slotB = writer.ActiveSlot;
        Assert.NotEqual(slotA, slotB);

        // A stray RST is judged by the policy on every packet and never tracked, so no
        // conntrack entry can answer in the policy's place.
        var frame = PacketBuilder.Ip(Api4, Web4).Tcp(40000, 80, TcpFlags.Rst).Build();
        var packetOut = new byte[frame.Length + 256];
        // Many packets per call: each XDP test run also re-points the kernel's XDP
        // dispatcher, tens of milliseconds a call, while flips keep landing mid-call.
        const uint repeat = 4096;
        long runs = 0, flips = 0;
        using var stop = new CancellationTokenSource();
        var flipper = new Thread(() =>
        {
            while (!stop.IsCancellationRequested)
            {
                writer.Activate(flips % 2 == 0 ? slotA : slotB);
                flips++;
            }
        });
        flipper.Start();
        var clock = Stopwatch.StartNew();
        try
        {
            while (clock.Elapsed < TimeSpan.FromSeconds(20) &&
                   (Volatile.Read(ref flips) < 5000 || runs * repeat < 500_000))
            {
                datapath.Ingress.TestRun(frame, packetOut, repeat);
                runs++;
            }
        }
        finally
        {
            stop.Cancel();
            flipper.Join();
        }

        var packets = (ulong)(runs * repeat);
        var allowedByA = datapath.Maps.ReadRuleCounter(AllowA).Packets;
        var deniedByB = datapath.Maps.ReadRuleCounter(DenyB).Packets;
        foreach (var rule in MixedRules)
            Assert.True(datapath.Maps.ReadRuleCounter(rule).Packets == 0, $"rule {rule} (a mix of both policies) was hit");
        Assert.Equal(packets, allowedByA + deniedByB);
        Assert.True(flips >= 5000, $"only {flips} flips happened");
        // Both policies were really seen, interleaved with the flips.
        Assert.True(allowedByA > 0 && deniedByB > 0, $"A allowed {allowedByA}, B denied {deniedByB}");

        // The programs' verdicts agree with the rules: every allow was A's, every drop B's.
        var counters = datapath.Maps.ReadVerdictCounters();
        Assert.Equal(allowedByA, PacketsWith(counters, Verdict.Allow));
        Assert.Equal(deniedByB, PacketsWith(counters, Verdict.Deny));
        output.WriteLine($"{packets} packets, {flips} flips in {clock.Elapsed.TotalSeconds:F1} s: A allowed {allowedByA}, B denied {deniedByB}");
    }

    private static ulong PacketsWith(Dictionary<VerdictCounterKey, TrafficCounter> counters, Verdict verdict)
    {
        ulong total = 0;
        foreach (var (key, value) in counters)
        {
            if (key.Verdict == verdict)
                total += value.Packets;
        }
        return total;
    }

    private static SlotImage Policy(uint endpoint, uint remote, (uint Rule, RuleActionKind Action) consistent,
        (uint Endpoint, uint Remote, uint Rule)[] mixed)
    {
        var seed = new PolicySeed()
            // Egress default allow: the RST, a mid-stream segment, is also asked as web's own
            // connection to api:40000, and that must not be what decides.
            .Endpoint(Web4, endpoint, EndpointMode.Enforce, EndpointFlags.EgressDefaultAllow)
            .Remote(Api4, remote);
        seed.Key(endpoint, Direction.Ingress, remote, Tcp).Exact(80, consistent.Action, consistent.Rule);
        foreach (var (e, r, rule) in mixed)
            seed.Key(e, Direction.Ingress, r, Tcp).Exact(80, RuleActionKind.Deny, rule);
        return seed.Build();
    }
}
