using Microseg.Datapath.Loading;
using Microseg.Datapath.Slots;
using Microseg.Policy.Diagnostics;

namespace Microseg.Policy.Compilation;

/// <summary>
/// Makes a compiled policy live: refuses it whole when it does not fit the datapath's maps
/// (nothing is written), otherwise writes it into the standby slot and flips, through
/// Microseg.Datapath's <see cref="SlotWriter"/>. Not thread-safe: one applier per datapath.
/// </summary>
public sealed class PolicyApplier(LoadedDatapath datapath, SlotWriter writer)
{
    /// <summary>The policy live now (applied by this applier), or null.</summary>
    public CompiledPolicy? Live { get; private set; }

    /// <summary>
    /// Applies <paramref name="policy"/>, or returns its capacity problems (checked against the
    /// datapath's own capacities, which may differ from those it was compiled for) and writes
    /// nothing.
    /// </summary>
    public PolicyApplyResult Apply(CompiledPolicy policy)
    {
        ArgumentNullException.ThrowIfNull(policy);
        IReadOnlyList<Diagnostic> problems = policy.CapacityProblems;
        if (problems.Count == 0)
        {
            List<string> unfit = policy.Image.CapacityProblems(datapath.Options.Capacities);
            problems = unfit.Select(p => new Diagnostic("policy", 1, 1, DiagnosticSeverity.Error,
                $"more entries than the maps hold: {p}")).ToList();
        }

        if (problems.Count > 0)
        {
            return new PolicyApplyResult(false, problems, null, null);
        }

        ImageDiff? diff = Live is null ? null : ImageDiff.Diff(Live, policy);
        // Compiled incrementally from the live policy: the writer need only look at what changed.
        SlotWriteResult written = Live is not null && ReferenceEquals(policy.Basis, Live) && policy.ChangesFrom is { } changes
            ? writer.Apply(policy.Image, Live.Image, changes)
            : writer.Apply(policy.Image);
        Live = policy;
        return new PolicyApplyResult(true, [], written, diff);
    }
}
