using System.CommandLine;
using Microseg.Flows.Discovery;
using Microseg.Flows.Suggestion;
using Microseg.Policy.Model;

namespace Microseg.Cli;

/// <summary><c>policy suggest</c>: a policy allowing exactly the observed flows.</summary>
internal static class PolicySuggestCommand
{
    public static Command Create(TextWriter output, TextWriter error)
    {
        Option<string?> flows = FlowInputs.Flows(required: false);
        var graph = new Option<string?>("--graph") { Description = "A saved discovery graph, instead of --flows." };
        Option<bool> fromDaemon = FlowInputs.FromDaemon();
        Option<string> socket = Daemon.SocketOption.Create();
        var merge = new Option<string?>("--merge") { Description = "CURRENT policy: write it back with rules added for only the observed flows it does not allow." };
        var identities = new Option<string?>("--identities") { Description = "Take identities, endpoints and management from this policy (not its rules)." };
        var worldByCidr = new Option<bool>("--world-by-cidr") { Description = "With --flows or the daemon: allow world by /24 and /64 groups seen, not all of world." };
        var file = new Option<string?>("--output", "-o") { Description = "Write the policy here (atomically) instead of to standard output." };
        var command = new Command(
            "suggest",
            "Write a policy, valid under policy check, that allows exactly the observed flows (allowed and would-deny) and denies " +
            "the rest, with a comment on each rule saying which traffic justified it. Exit 0; 1 when a policy given is invalid; " +
            "2 when an input cannot be read.")
        {
            flows, graph, merge, identities, worldByCidr, file, fromDaemon, socket,
        };
        command.SetAction(parsed =>
        {
            string? mergePath = parsed.GetValue(merge);
            string? identitiesPath = parsed.GetValue(identities);
            if (mergePath is not null && identitiesPath is not null)
            {
                error.WriteLine("microsegctl: give --merge or --identities, not both (a merge keeps the current policy's identities).");
                return Program.Failure;
            }

            PolicyDocument? current = null;
            if ((mergePath ?? identitiesPath) is { } policyPath)
            {
                current = FlowInputs.Policy(policyPath, output, error, out int code);
                if (current is null)
                {
                    return code;
                }
            }

            if (!FlowInputs.FromDaemonAlone(parsed.GetValue(fromDaemon), parsed.GetValue(flows), parsed.GetValue(graph), error))
            {
                return Program.Failure;
            }

            DiscoveryGraph? map = FlowInputs.Graph(parsed.GetValue(graph), parsed.GetValue(flows), parsed.GetValue(worldByCidr), error,
                parsed.GetRequiredValue(socket));
            if (map is null)
            {
                return Program.Failure;
            }

            PolicySuggestion suggestion = PolicySuggester.Suggest(map, current, merge: mergePath is not null);
            string? outPath = parsed.GetValue(file);
            if (!FlowInputs.Emit(suggestion.Yaml, outPath, output, error))
            {
                return Program.Failure;
            }

            if (outPath is not null)
            {
                output.WriteLine($"wrote {outPath}: {suggestion.Added.Count} rule(s) added" +
                    (mergePath is null ? "" : $", {suggestion.AlreadyAllowed} observed edge(s) already allowed") +
                    (suggestion.Notes.Count == 0 ? "" : $", {suggestion.Notes.Count} left out (see its header)"));
            }

            return Program.Success;
        });
        return command;
    }
}
