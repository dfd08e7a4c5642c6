using System.Net;
using System.Text.RegularExpressions;
using Microseg.Datapath.Abi;
using Microseg.Flows.Discovery;
using Microseg.Flows.Export;
using Microseg.Flows.Records;
using Microseg.Flows.Replay;
using Microseg.Flows.Yaml;
using Microseg.Policy;
using Microseg.Policy.Diagnostics;
using Microseg.Policy.Evaluation;
using Microseg.Policy.Model;

namespace Microseg.Flows.Suggestion;

/// <summary>
/// Writes a policy that allows exactly the observed flows (docs/flows.md, "Policy suggestion").
/// The flows are a discovery graph's edges that were allowed or would be denied (edges only ever
/// denied by an enforcing endpoint are left out: nothing depends on them). Every endpoint
/// defaults to deny both ways, so anything not observed is denied; one allow rule is written per
/// (local identity, peer identity, direction, protocol), its ports merged into ranges, with a
/// comment saying which traffic justified it. The result is checked with <see cref="PolicyChecker"/>
/// before it is returned.
/// </summary>
public static partial class PolicySuggester
{
    private static readonly SourcePosition Here = new("<suggested>", 0, 0);

    /// <summary>
    /// Suggests a policy for <paramref name="graph"/>. <paramref name="current"/> supplies identities
    /// (labels, addresses), endpoints and management access; nodes it does not know become
    /// identities made from the addresses observed. With <paramref name="merge"/>, the result is
    /// <paramref name="current"/> itself plus rules for only the edges it does not already allow
    /// (judged by the reference evaluator on each edge's sampled addresses).
    /// </summary>
    public static PolicySuggestion Suggest(DiscoveryGraph graph, PolicyDocument? current = null, bool merge = false)
    {
        ArgumentNullException.ThrowIfNull(graph);
        if (merge && current is null)
        {
            throw new ArgumentException("merging needs the current policy", nameof(current));
        }

        var notes = new List<string>();
        var wanted = graph.Edges.Where(e => e.Wanted > 0).ToList();

        int alreadyAllowed = 0;
        if (merge)
        {
            var evaluator = new ReferenceEvaluator(current!);
            wanted = wanted.Where(edge =>
            {
                List<Judgement> judged = edge.Samples.Select(s => FlowReplay.JudgeAlone(evaluator, FlowReplay.FirstPacket(edge.Key, s))).ToList();
                if (judged.Count > 0 && judged.All(j => !FlowReplay.Blocks(j.Outcome) && !(j.Outcome == Verdict.Unenforced && j.Mode is null)))
                {
                    alreadyAllowed++;
                    return false;
                }

                Judgement? onPurpose = judged.FirstOrDefault(j => FlowReplay.Blocks(j.Outcome) && j.RuleName is not null);
                if (onPurpose is not null)
                {
                    notes.Add($"{Describe(edge)} is denied by {onPurpose.RuleKind} '{onPurpose.RuleName}' in the current policy, which an allow rule cannot override: left out.");
                    return false;
                }

                return true;
            }).ToList();
        }

        var builder = new Builder(graph, current, merge);
        foreach (DiscoveryEdge edge in wanted)
        {
            if (!FlowText.HasPorts(edge.Key.Protocol) && !FlowText.IsIcmp(edge.Key.Protocol))
            {
                notes.Add($"{Describe(edge)}: a rule can allow protocol {edge.Key.Protocol} only as 'any' protocol, which would allow far more than was observed: left out.");
                continue;
            }

            if (!builder.Place(edge, out string? problem))
            {
                notes.Add($"{Describe(edge)}: {problem}: left out.");
                continue;
            }
        }

        List<SuggestedRule> added = builder.Rules(wanted.Where(builder.IsPlaced));
        PolicyDocument document = builder.Document(added.Select(r => r.Rule));
        string yaml = PolicyYamlWriter.Write(document, added.ToDictionary(r => r.Rule.Name, r => r.Comment), Header(graph, merge, added, notes));

        PolicyCheckResult check = PolicyChecker.CheckText("suggested.yaml", yaml);
        if (!check.IsValid)
        {
            // A fault of the suggester, never of the user's input.
            throw new InvalidOperationException($"the suggested policy does not pass policy check: {check.Diagnostics.First(d => d.IsError)}");
        }

        var verify = new ReferenceEvaluator(check.Document!);
        foreach (DiscoveryEdge edge in wanted.Where(builder.IsPlaced))
        {
            if (edge.Samples.Any(s => FlowReplay.Blocks(FlowReplay.JudgeAlone(verify, FlowReplay.FirstPacket(edge.Key, s)).Outcome)))
            {
                notes.Add($"{Describe(edge)} is still denied by the suggested policy: its addresses now belong to another identity.");
            }
        }

        return new PolicySuggestion(check.Document!, yaml, added, builder.AddedIdentities, alreadyAllowed, notes);
    }

    private static IEnumerable<string> Header(DiscoveryGraph graph, bool merge, List<SuggestedRule> added, List<string> notes)
    {
        DiscoveryEdge[] edges = graph.Edges.ToArray();
        string span = edges.Length == 0 ? "no flows" :
            $"flows seen {TextTable.Time(edges.Min(e => e.FirstSeen))} to {TextTable.Time(edges.Max(e => e.LastSeen))}";
        yield return merge
            ? $"The current policy plus {added.Count} rule(s) for observed traffic it did not allow ({span}); written by microsegctl policy suggest --merge."
            : $"Allows exactly the observed traffic ({span}) and denies the rest; written by microsegctl policy suggest.";
        foreach (string note in notes)
        {
            yield return "Left out: " + note;
        }
    }

    private static string Describe(DiscoveryEdge edge) =>
        $"{edge.Key.Service} from {edge.Key.From} to {edge.Key.To} (seen at {edge.Key.Local}, {edge.Key.Direction.Name()})";

    /// <summary>"web", "world-203-0-113-0-24": a valid identity name for any node name.</summary>
    internal static string IdentityName(string node)
    {
        string name = InvalidRun().Replace(node.ToLowerInvariant(), "-").Trim('-');
        name = name.Length > 63 ? name[..63].TrimEnd('-') : name;
        return name.Length == 0 || name is IdentityDefinition.HostName or IdentityDefinition.WorldName ? "observed-" + name : name;
    }

    [GeneratedRegex("[^a-z0-9]+")]
    private static partial Regex InvalidRun();

    private static AddressEntry Entry(IPNetwork network) => new(network, Here);

    private static AddressEntry Host(IpAddress16 address)
    {
        IPAddress ip = address.ToIPAddress();
        return Entry(new IPNetwork(ip, ip.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork ? 32 : 128));
    }
}
