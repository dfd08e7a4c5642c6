using Microseg.Datapath.Abi;
using Microseg.Datapath.Loading;
using Microseg.Datapath.Slots;
using Microseg.Policy.Model;

namespace Microseg.Policy.Compilation;

/// <summary>
/// Compiles a document that differs from an already compiled one only in the content of some
/// rules (same number of rules, so every rule id stays): the plans of the local identities
/// those rules reach, before or after the change, are built again from every rule that reaches
/// them; every other key is the previous image's. Gives the same image as a whole compile
/// (a test holds it to that on random edits), or null when it cannot.
/// </summary>
internal static class IncrementalCompile
{
    public static CompiledPolicy? TryCompile(CompileState state, CompiledPolicy previous, PolicyDocument document, DatapathCapacities capacities)
    {
        PolicyDocument before = state.Document;
        if (previous.CapacityProblems.Count > 0 || capacities != state.Capacities
            || document.Rules.Count != before.Rules.Count || !SameDocument.ApartFromRules(before, document))
        {
            return null;
        }

        // Local identities any changed rule reaches, before or after.
        var changedRules = new List<int>();
        var touched = new SortedSet<int>();
        for (int r = 0; r < document.Rules.Count; r++)
        {
            // The text first: comparing the models of 100,000 rules walks the whole heap.
            if (ReferenceEquals(document.Rules[r], before.Rules[r])
                || (document.RuleSources is { } now && before.RuleSources is { } then && now[r].SameTextAs(then[r]))
                || SameDocument.Rule(document.Rules[r], before.Rules[r]))
            {
                continue;
            }

            changedRules.Add(r);
            touched.UnionWith(state.Index.Select(before.Rules[r].Local, state.Locals));
            touched.UnionWith(state.Index.Select(document.Rules[r].Local, state.Locals));
        }

        // Every rule that reaches a touched local now: the unchanged ones from the previous
        // compile's table, the changed ones as they are now (the builder selects again).
        var rulesToAdd = new SortedSet<int>(changedRules);
        foreach (int local in touched)
        {
            rulesToAdd.UnionWith(state.RulesByLocal.GetValueOrDefault(local) ?? []);
        }

        IdentityTable identities = state.Identities;
        var rules = new RuleNumbering(document);
        var plans = new Dictionary<(int Local, Direction Direction), LocalPlan>();
        var builder = new PlanBuilder(document, identities, state.Index, touched, plans);
        builder.AddSome(rulesToAdd);

        // The previous image without the touched locals' keys, then theirs compiled again.
        var touchedIds = new HashSet<uint>(touched.Select(l => identities.KernelIds[l]));
        SlotImage image = previous.Image.Clone();
        var changes = new SlotImageChanges();
        RemoveTouched(image.Policies, k => k.LocalIdentity, touchedIds, changes.Policies);
        RemoveTouched(image.Ports, k => k.Policy.LocalIdentity, touchedIds, changes.Ports);
        RemoveTouched(image.Ranges, k => k.LocalIdentity, touchedIds, changes.Ranges);

        var capacity = new CapacityReport(document, rules, identities, capacities);
        var written = new SlotImage();
        PolicyCompiler.WritePlans(written, plans, identities, capacity);
        CopyInto(written.Policies, image.Policies, changes.Policies);
        CopyInto(written.Ports, image.Ports, changes.Ports);
        CopyInto(written.Ranges, image.Ranges, changes.Ranges);

        // Endpoint flags follow the wildcard keys; only the touched identities' can change.
        Dictionary<uint, EndpointFlags> flags = PolicyCompiler.EndpointFlagsOf(written.Policies.Keys);
        foreach ((IpAddress16 address, EndpointValue value) in previous.Image.Endpoints)
        {
            if (touchedIds.Contains(value.Identity))
            {
                changes.Endpoints.Add(address);
            }
        }

        var endpoints = new SlotImage();
        PolicyCompiler.AddEndpoints(document, identities, endpoints, flags);
        foreach (IpAddress16 address in changes.Endpoints)
        {
            image.Endpoints[address] = endpoints.Endpoints[address];
        }

        image.DeriveLookupHints(changes.HintKeys());
        if (!capacity.FitsWithoutCounting(image))
        {
            // The whole compile says where the maps run out.
            return null;
        }

        var compiled = new CompiledPolicy(image, rules, identities.Compiled, []);
        compiled.Basis = previous;
        compiled.ChangesFrom = changes;
        compiled.State = state with { Document = document, RulesByLocal = RulesByLocal(state, document, changedRules) };
        return compiled;
    }

    private static void RemoveTouched<TKey, TValue>(Dictionary<TKey, TValue> map, Func<TKey, uint> local, HashSet<uint> touched, HashSet<TKey> removed)
        where TKey : notnull
    {
        foreach (TKey key in map.Keys)
        {
            if (touched.Contains(local(key)))
            {
                removed.Add(key);
            }
        }

        foreach (TKey key in removed)
        {
            map.Remove(key);
        }
    }

    private static void CopyInto<TKey, TValue>(Dictionary<TKey, TValue> from, Dictionary<TKey, TValue> to, HashSet<TKey> changed)
        where TKey : notnull
    {
        foreach ((TKey key, TValue value) in from)
        {
            to[key] = value;
            changed.Add(key);
        }
    }

    // The previous table with the changed rules moved to the locals they select now; lists
    // that change are copied, so the previous compile's state stays as it was.
    private static Dictionary<int, List<int>> RulesByLocal(CompileState state, PolicyDocument document, List<int> changedRules)
    {
        var table = new Dictionary<int, List<int>>(state.RulesByLocal);
        var copied = new HashSet<int>();
        foreach (int r in changedRules)
        {
            foreach (int local in state.Index.Select(state.Document.Rules[r].Local, state.Locals))
            {
                Own(local).Remove(r);
            }

            foreach (int local in state.Index.Select(document.Rules[r].Local, state.Locals))
            {
                List<int> list = Own(local);
                int at = list.BinarySearch(r);
                if (at < 0)
                {
                    list.Insert(~at, r);
                }
            }
        }

        return table;

        List<int> Own(int local)
        {
            if (copied.Add(local))
            {
                table[local] = [.. table.GetValueOrDefault(local) ?? []];
            }

            return table[local];
        }
    }
}
