using System.Globalization;
using System.Text;
using Microseg.Bpf;
using Microseg.Datapath.Abi;
using Microseg.Datapath.Attaching;
using Microseg.Datapath.Loading;
using Microseg.Datapath.Slots;
using Microseg.Policy;
using Microseg.Policy.Compilation;
using Microseg.Policy.Interfaces;

namespace Microseg.Bench.Sre.Configurations;

/// <summary>
/// microseg_allow and microseg_deny_flood: Microseg's own programs on the receiver, with the
/// rules written as a policy file (one identity per source address, one ingress rule per
/// pair), checked, attached and applied by the daemon's own code: <see cref="PolicyChecker"/>,
/// <see cref="InterfaceAttacher"/> and <see cref="PolicyApplier"/>, in the order microsegd
/// calls them (attach, then apply with the interface's owner). The receiver is one endpoint
/// in enforce mode, ingress default deny. For microseg_allow the generator's flow is opened by
/// its first frame and every later frame is an established conntrack hit (the fast path); for
/// microseg_deny_flood every frame goes to a port no rule allows and is dropped.
/// </summary>
internal sealed class MicrosegFilter(string objectDirectory, bool denyFlood) : SreConfiguration
{
    // The receiver's verdict counter slot, as microsegd hands out the first one.
    private const uint ReceiverSlot = 1;
    private LoadedDatapath? _datapath;

    public override string Name => denyFlood ? "microseg_deny_flood" : "microseg_allow";
    public override bool Delivers => !denyFlood;
    public override ushort DestinationPort(RuleSet rules) => denyFlood ? RuleSet.DeniedPort : rules.AllowedPort;

    public override void Install(VethPair pair, RuleSet rules)
    {
        var directory = Path.Combine(Path.GetTempPath(), $"microseg-sre-{Environment.ProcessId}-{Name}");
        Directory.CreateDirectory(directory);
        try
        {
            var path = Path.Combine(directory, "policy.yaml");
            File.WriteAllText(path, PolicyText(pair, rules));
            var checkedPolicy = PolicyChecker.CheckFile(path);
            if (!checkedPolicy.IsValid)
                throw new InvalidOperationException($"the generated policy {path} is invalid: " +
                    (checkedPolicy.ReadFailure ?? string.Join("; ", checkedPolicy.Diagnostics.Where(d => d.IsError).Take(3))));
            _datapath = LoadedDatapath.Load(new DatapathOptions { ObjectDirectory = objectDirectory });
            var receiver = $"{pair.ReceiverInterface}@{pair.ReceiverNamespace}";
            var attacher = new InterfaceAttacher(_datapath.Maps, _datapath.Ingress, _datapath.Egress, XdpAttachMode.Native);
            pair.Receiver.Run(() => attacher.Ensure(pair.ReceiverIfindex, receiver, ReceiverSlot, createdClsactBefore: false));
            var applier = new PolicyApplier(new SlotWriter(_datapath.Maps), _datapath.Options.Capacities);
            var document = checkedPolicy.Document!;
            var owners = PolicyApplier.Owners(document, [(ReceiverSlot, new InterfaceAddresses(receiver, [pair.ReceiverAddress]))]);
            var applied = applier.Apply(document, applier.Compile(document), owners);
            if (!applied.Applied)
                throw new InvalidOperationException("the generated policy does not fit: " + string.Join("; ", applied.Problems.Take(3)));
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    /// <summary>The verdict counters of the measured direction: allowed and dropped packets, all reasons.</summary>
    public override string? Describe()
    {
        if (_datapath is null)
            return null;
        ulong established = 0, allowed = 0, dropped = 0;
        foreach (var (key, counter) in _datapath.Maps.ReadVerdictCounters())
        {
            if (key.Direction != Direction.Ingress)
                continue;
            if (key.Verdict == Verdict.Allow && key.Reason == VerdictReason.Established)
                established += counter.Packets;
            else if (key.Verdict == Verdict.Allow)
                allowed += counter.Packets;
            else
                dropped += counter.Packets;
        }
        return string.Create(CultureInfo.InvariantCulture, $"microseg counters: {established} allowed as established, {allowed} allowed by a rule, {dropped} not allowed");
    }

    public override void Dispose() => _datapath?.Dispose();

    private static string PolicyText(VethPair pair, RuleSet rules)
    {
        var s = new StringBuilder(rules.Count * 200);
        s.Append("version: 1\ndefaults: {mode: enforce, ingress: deny, egress: allow}\nidentities:\n");
        s.Append(CultureInfo.InvariantCulture, $"  - {{name: receiver, labels: {{role: receiver}}, addresses: [{pair.ReceiverAddress}]}}\n");
        var i = 0;
        foreach (var (source, _) in rules.Rules())
            s.Append(CultureInfo.InvariantCulture, $"  - {{name: peer-{i++:D6}, labels: {{role: peer}}, addresses: [{source}]}}\n");
        s.Append(CultureInfo.InvariantCulture, $"endpoints:\n  - {{identity: receiver, addresses: [{pair.ReceiverAddress}]}}\nrules:\n");
        i = 0;
        foreach (var (_, port) in rules.Rules())
        {
            s.Append(CultureInfo.InvariantCulture,
                $"  - {{name: allow-{i:D6}, action: allow, direction: ingress, local: {{identity: receiver}}, peer: {{identity: peer-{i:D6}}}, protocol: udp, ports: [{port}]}}\n");
            i++;
        }
        return s.ToString();
    }
}
