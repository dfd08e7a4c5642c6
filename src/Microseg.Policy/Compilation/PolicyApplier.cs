using Microseg.Datapath.Abi;
using Microseg.Datapath.Loading;
using Microseg.Datapath.Slots;
using Microseg.Policy.Diagnostics;
using Microseg.Policy.Interfaces;
using Microseg.Policy.Model;

namespace Microseg.Policy.Compilation;

/// <summary>
/// The one way a policy becomes live, for microsegd's reloader, the tests and the benchmarks
/// alike: compiles a validated document from the live policy (only what changed, when it
/// can), refuses it whole when it does not fit the datapath's maps (nothing is written),
/// otherwise puts each attached interface's owner into the image and writes it into the
/// standby slot and flips, through Microseg.Datapath's <see cref="SlotWriter"/>. Reading the
/// file, keeping the old policy on error, logging and status are the daemon's. Not
/// thread-safe: one applier per datapath, its callers serialised.
/// </summary>
public sealed class PolicyApplier(SlotWriter writer, DatapathCapacities capacities)
{
    // The interface owners the live slot holds, as written or read back; null: unknown.
    private Dictionary<uint, EndpointValue>? _ownersLive;

    /// <summary>The live policy as compiled (rule and identity names); null until one is applied or kept.</summary>
    public CompiledPolicy? Live { get; private set; }

    /// <summary>The live policy as written (its endpoints); null until one is applied or kept.</summary>
    public PolicyDocument? LiveDocument { get; private set; }

    /// <summary>
    /// Compiles a validated <paramref name="document"/>, from the live policy when there is one:
    /// only what changed is compiled and compared.
    /// </summary>
    public CompiledPolicy Compile(PolicyDocument document) => new PolicyCompiler().Compile(document, capacities, Live);

    /// <summary>
    /// Every reason <paramref name="policy"/> cannot be applied: the compiler's capacity
    /// problems (at their positions) and the image's own count against the maps' capacities
    /// (which may differ from those it was compiled for). Empty when it fits.
    /// </summary>
    public IReadOnlyList<Diagnostic> Problems(PolicyDocument document, CompiledPolicy policy)
    {
        ArgumentNullException.ThrowIfNull(document);
        ArgumentNullException.ThrowIfNull(policy);
        var source = document.Files.Count > 0 ? document.Files[0] : "policy";
        return [.. policy.CapacityProblems, .. policy.Image.CapacityProblems(capacities)
            .Select(p => new Diagnostic(source, 1, 1, DiagnosticSeverity.Error, $"more entries than the maps hold: {p}"))];
    }

    /// <summary>
    /// Makes <paramref name="policy"/> (compiled from <paramref name="document"/>) live with
    /// <paramref name="owners"/> as the attached interfaces' owners, or returns its
    /// <see cref="Problems"/> and writes nothing.
    /// </summary>
    public PolicyApplyResult Apply(PolicyDocument document, CompiledPolicy policy, IReadOnlyList<(uint InterfaceSlot, InterfaceOwner Owner)> owners)
    {
        ArgumentNullException.ThrowIfNull(owners);
        var problems = Problems(document, policy);
        if (problems.Count > 0)
            return new PolicyApplyResult(false, problems, null, false);

        InterfaceEndpointFill.Fill(policy.Image, owners);
        // Compiled incrementally from the live policy: the writer need only look at what changed.
        var incremental = Live is not null && ReferenceEquals(policy.Basis, Live) && policy.ChangesFrom is not null;
        var written = incremental
            ? writer.Apply(policy.Image, Live!.Image, policy.ChangesFrom!)
            : writer.Apply(policy.Image);
        Live = policy;
        LiveDocument = document;
        _ownersLive = new Dictionary<uint, EndpointValue>(policy.Image.InterfaceEndpoints);
        return new PolicyApplyResult(true, [], written, incremental);
    }

    /// <summary>
    /// Takes <paramref name="policy"/> as live without writing it: the maps (adopted from an
    /// earlier run) already enforce exactly this document. The interface owners are read back
    /// from the live slot, which an earlier build may have left without them.
    /// </summary>
    public void Keep(PolicyDocument document, CompiledPolicy policy)
    {
        ArgumentNullException.ThrowIfNull(document);
        ArgumentNullException.ThrowIfNull(policy);
        Live = policy;
        LiveDocument = document;
        _ownersLive = writer.ReadLiveInterfaceEndpoints();
    }

    /// <summary>
    /// Writes the live policy again when <paramref name="owners"/> change which endpoint owns
    /// an attached interface (an endpoint's address moved, an interface was attached); returns
    /// null, writing nothing, when they do not or no policy is live.
    /// </summary>
    public SlotWriteResult? ApplyOwners(IReadOnlyList<(uint InterfaceSlot, InterfaceOwner Owner)> owners)
    {
        ArgumentNullException.ThrowIfNull(owners);
        if (Live is not { } live)
            return null;
        var resolved = InterfaceEndpointFill.Resolve(live.Image, owners);
        if (_ownersLive is { } held && SameOwners(held, resolved))
            return null;
        var image = live.Image.Clone();
        InterfaceEndpointFill.Fill(image, owners);
        var result = writer.Apply(image);
        _ownersLive = resolved;
        return result;
    }

    /// <summary>Each interface's owner under <paramref name="document"/>, by interface slot, in the order given.</summary>
    public static List<(uint InterfaceSlot, InterfaceOwner Owner)> Owners(PolicyDocument document,
        IReadOnlyList<(uint InterfaceSlot, InterfaceAddresses Addresses)> interfaces)
    {
        ArgumentNullException.ThrowIfNull(interfaces);
        var owners = InterfaceOwnership.Resolve(document, interfaces.Select(i => i.Addresses));
        var bySlot = new List<(uint, InterfaceOwner)>(owners.Count);
        for (var i = 0; i < owners.Count; i++)
            bySlot.Add((interfaces[i].InterfaceSlot, owners[i]));
        return bySlot;
    }

    private static bool SameOwners(Dictionary<uint, EndpointValue> a, Dictionary<uint, EndpointValue> b) =>
        a.Count == b.Count && a.All(kv => b.TryGetValue(kv.Key, out var v) && v.Equals(kv.Value));
}
