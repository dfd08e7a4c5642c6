using System.Collections;
using Microseg.Policy.Model;

namespace Microseg.Policy.Compilation;

/// <summary>
/// The kernel rule ids of a document's rules, then boundaries, then management entries,
/// numbered from 1 in that order. Each <see cref="CompiledRule"/> is made when asked for: a
/// compile of 100,000 rules (and a one-rule change to them) numbers none up front, and the
/// numbering follows from the document alone.
/// </summary>
internal sealed class RuleNumbering(PolicyDocument document) : IReadOnlyList<CompiledRule>
{
    // Each rule once made, so the daemon's status and metrics, which walk them all on every
    // request, allocate them only the first time. Racing readers at worst make one twice
    // (equal records), which is harmless.
    private CompiledRule?[]? _made;

    public int Count => document.Rules.Count + document.Boundaries.Count + document.Management.Count;

    public CompiledRule this[int index]
    {
        get
        {
            if ((uint)index >= (uint)Count)
            {
                throw new ArgumentOutOfRangeException(nameof(index));
            }

            CompiledRule?[] made = _made ??= new CompiledRule?[Count];
            return made[index] ??= Make(index);
        }
    }

    public IEnumerator<CompiledRule> GetEnumerator()
    {
        for (int i = 0; i < Count; i++)
        {
            yield return this[i];
        }
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    private CompiledRule Make(int index)
    {
        uint id = (uint)index + 1;
        if (index < document.Rules.Count)
        {
            PolicyRule rule = document.Rules[index];
            return new CompiledRule(id, rule.Name, CompiledRuleKind.Rule, rule.Position);
        }

        int boundary = index - document.Rules.Count;
        if (boundary < document.Boundaries.Count)
        {
            return new CompiledRule(id, document.Boundaries[boundary].Name, CompiledRuleKind.Boundary, document.Boundaries[boundary].Position);
        }

        ManagementAccess access = document.Management[boundary - document.Boundaries.Count];
        return new CompiledRule(id, access.Name, CompiledRuleKind.Management, access.Position);
    }
}
