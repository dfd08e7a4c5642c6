using Microseg.Policy;
using Microseg.Policy.Compilation;

namespace Microseg.Fuzz;

/// <summary>
/// The policy loader as <c>microsegctl policy check</c> runs it: the input is written to a policy
/// file, then read, parsed, validated and capacity-checked by <see cref="PolicyChecker.CheckFile"/>.
/// A file lets the reader's own checks (size, NUL bytes, UTF-8) be fuzzed too.
/// </summary>
internal static class PolicyTarget
{
    // A directory per process, so parallel harnesses never share a file; beside the policy file
    // an include directory, so an input that says `include: conf.d` reaches the merge code.
    private static readonly Lazy<string> PolicyPath = new(() =>
    {
        string directory = Directory.CreateTempSubdirectory($"microseg-fuzz-policy-{Environment.ProcessId}-").FullName;
        Directory.CreateDirectory(Path.Combine(directory, "conf.d"));
        File.WriteAllText(Path.Combine(directory, "conf.d", "10-included.yaml"), IncludedFile);
        return Path.Combine(directory, "policy.yaml");
    });

    // As docs/examples/conf.d ships it: one rule naming labels and an identity of the main file.
    private const string IncludedFile = """
        rules:
          - name: node-exporter-from-corp
            action: allow
            direction: ingress
            local: {identity: cardholder-db}
            peer: {matchLabels: {zone: corp}}
            protocol: tcp
            ports: [9100]
        """;

    /// <summary>Checks <paramref name="input"/> as a policy file; returns the first diagnostic, or "valid".</summary>
    public static string Run(byte[] input)
    {
        File.WriteAllBytes(PolicyPath.Value, input);
        PolicyCheckResult result = PolicyChecker.CheckFile(PolicyPath.Value, [PolicyCapacityCheck.Default]);
        if (result.ReadFailure is { } failure)
        {
            return $"unreadable: {failure}";
        }

        return result.Diagnostics.Count == 0 ? "valid" : $"{result.Diagnostics.Count} diagnostics, first: {result.Diagnostics[0]}";
    }
}
