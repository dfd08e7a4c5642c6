using Microseg.Bpf;
using Microseg.Datapath.Abi;
using Microseg.Datapath.Fixtures;
using Microseg.Datapath.Loading;
using Microseg.Datapath.Slots;
using Microseg.Policy.Compilation;
using Microseg.Policy.Interfaces;
using Microseg.Policy.Model;

namespace Microseg.Differential.Tests;

/// <summary>What the kernel did with one packet: dropped or not, and the verdict counter and
/// rule counter it moved.</summary>
public readonly record struct KernelOutcome(bool Dropped, Verdict Verdict, VerdictReason Reason, uint RuleId);

/// <summary>
/// The kernel side of the differential test: one loaded datapath, reused across policies
/// (conntrack and fragments cleared between them), packets through BPF_PROG_TEST_RUN one at a
/// time. Every packet moves exactly one verdict counter and at most one rule counter, so
/// shadow totals let one read confirm the expected counter moved; only a surprise costs a
/// scan of them all.
/// </summary>
public sealed class KernelProbe : IDisposable
{
    private const uint XdpDrop = 1, TcActShot = 2;

    /// <summary>
    /// BPF_PROG_TEST_RUN runs every packet on the loopback device of the test's namespace. The
    /// probe gives it an interface slot in its own (unpinned) maps, so that the interface's
    /// owner judges local addresses no endpoint lists, as on an attached interface.
    /// </summary>
    public const string TestRunInterface = "lo";

    /// <summary>lo's interface slot: its packets count there, and its owner sits there.</summary>
    public const uint TestRunInterfaceSlot = 1;

    private readonly LoadedDatapath _datapath;
    private readonly PolicyApplier _applier;
    private readonly TrafficCounter[] _perCpu = new TrafficCounter[BpfMap.PossibleCpuCount];
    private readonly byte[] _packetOut = new byte[4096];
    private readonly Dictionary<uint, ulong> _verdictTotals = [];
    private readonly Dictionary<uint, ulong> _ruleTotals = [];
    private uint _highestRule;

    public KernelProbe(DatapathOptions options)
    {
        _datapath = LoadedDatapath.Load(options);
        _datapath.Maps.AssignInterfaceSlot(NetworkNamespace.InterfaceIndex(TestRunInterface), TestRunInterfaceSlot);
        _applier = new PolicyApplier(new SlotWriter(_datapath.Maps), options.Capacities);
    }

    /// <summary>Forgets every flow, then makes the policy live (see <see cref="Change"/>).</summary>
    public CompiledPolicy Start(PolicyDocument document, InterfaceAddresses testRunInterface)
    {
        _datapath.Maps.Conntrack.Clear();
        _datapath.Maps.Fragments.Clear();
        return Change(document, testRunInterface);
    }

    /// <summary>
    /// A policy change under running flows (they are re-judged on their next packet), made
    /// live as microsegd makes it: compiled from the live policy by the daemon's
    /// <see cref="PolicyApplier"/>, with <paramref name="testRunInterface"/>'s owner in lo's slot.
    /// </summary>
    public CompiledPolicy Change(PolicyDocument document, InterfaceAddresses testRunInterface)
    {
        var compiled = _applier.Compile(document);
        var applied = _applier.Apply(document, compiled, PolicyApplier.Owners(document, [(TestRunInterfaceSlot, testRunInterface)]));
        if (!applied.Applied)
            throw new InvalidOperationException("the policy was refused: " + string.Join("; ", applied.Problems));
        _highestRule = compiled.Rules.Count == 0 ? 0 : compiled.Rules.Max(r => r.Id);
        RefreshShadows();
        return compiled;
    }

    public KernelOutcome Run(Direction direction, byte[] frame, Verdict expectedVerdict, VerdictReason expectedReason, uint expectedRule)
    {
        var program = direction == Direction.Ingress ? _datapath.Ingress : _datapath.Egress;
        var result = program.TestRun(frame, _packetOut);
        var dropped = direction == Direction.Ingress ? result.ReturnValue == XdpDrop : result.ReturnValue == TcActShot;

        var expected = new VerdictCounterKey(TestRunInterfaceSlot, direction, expectedVerdict, expectedReason);
        var (verdict, reason) = Moved(_verdictTotals, _datapath.Maps.VerdictCounters, expected.Index) is { } index
            ? (VerdictCounterKey.FromIndex(index).Verdict, VerdictCounterKey.FromIndex(index).Reason)
            : ((Verdict)0, (VerdictReason)0);
        var rule = expectedRule != 0 && Moved(_ruleTotals, _datapath.Maps.RuleCounters, expectedRule, scan: false) is { } hit
            ? hit
            : ScanRules();
        return new KernelOutcome(dropped, verdict, reason, rule);
    }

    // Which counter moved by one packet: the expected one (one read), else found by a scan.
    private uint? Moved(Dictionary<uint, ulong> shadow, BpfMap<uint, TrafficCounter> counters, uint expected, bool scan = true)
    {
        var now = Total(counters, expected);
        if (now == shadow.GetValueOrDefault(expected) + 1)
        {
            shadow[expected] = now;
            return expected;
        }
        if (!scan)
            return null;
        uint? moved = null;
        foreach (var index in shadow.Keys.ToArray())
        {
            var total = Total(counters, index);
            if (total != shadow[index])
                moved = index;
            shadow[index] = total;
        }
        return moved;
    }

    private uint ScanRules()
    {
        uint moved = 0;
        for (uint rule = 1; rule <= _highestRule; rule++)
        {
            var total = Total(_datapath.Maps.RuleCounters, rule);
            if (total != _ruleTotals.GetValueOrDefault(rule))
                moved = rule;
            _ruleTotals[rule] = total;
        }
        return moved;
    }

    private void RefreshShadows()
    {
        _verdictTotals.Clear();
        foreach (var direction in new[] { Direction.Ingress, Direction.Egress })
        {
            for (uint verdict = 1; verdict < AbiConstants.VerdictCount; verdict++)
            {
                for (uint reason = 1; reason < AbiConstants.ReasonCount; reason++)
                {
                    var index = new VerdictCounterKey(TestRunInterfaceSlot, direction, (Verdict)verdict, (VerdictReason)reason).Index;
                    _verdictTotals[index] = Total(_datapath.Maps.VerdictCounters, index);
                }
            }
        }
        _ruleTotals.Clear();
        for (uint rule = 1; rule <= _highestRule; rule++)
            _ruleTotals[rule] = Total(_datapath.Maps.RuleCounters, rule);
    }

    private ulong Total(BpfMap<uint, TrafficCounter> counters, uint index)
    {
        if (!counters.TryLookupPerCpu(index, _perCpu))
            return 0;
        ulong total = 0;
        foreach (var c in _perCpu)
            total += c.Packets;
        return total;
    }

    public void Dispose() => _datapath.Dispose();
}
