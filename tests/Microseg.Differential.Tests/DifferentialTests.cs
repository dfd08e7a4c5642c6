using System.Diagnostics;
using System.Net;
using System.Text;
using Microseg.Datapath.Abi;
using Microseg.Datapath.Fixtures;
using Microseg.Datapath.Loading;
using Microseg.Policy;
using Microseg.Policy.Compilation;
using Microseg.Policy.Evaluation;
using Microseg.Policy.Interfaces;
using Microseg.Policy.Model;
using Microseg.TestSupport;

namespace Microseg.Differential.Tests;

/// <summary>
/// The kernel programs and the reference evaluator must agree on every packet. Random
/// policies (compiled and applied to the real maps by microsegd's PolicyApplier, the change
/// compiled from the live policy as the daemon compiles it) and random packets (through
/// BPF_PROG_TEST_RUN, and through the evaluator written from docs/policy.md), with
/// conntrack history and a policy change half-way; each packet compares the verdict, the
/// reason and the deciding rule. A disagreement prints everything needed to replay it:
///   MICROSEG_DIFF_SEED=&lt;seed&gt; MICROSEG_DIFF_POLICIES=1 dotnet test tests/Microseg.Differential.Tests --filter KernelAndReferenceEvaluatorAgree
/// </summary>
public sealed class DifferentialTests(Xunit.Abstractions.ITestOutputHelper output)
{
    private const int DefaultPolicies = 200, PacketsPerPolicy = 1000, DefaultSeed = 20261121, ReportedDisagreements = 8;

    [PrivilegedFact]
    public void KernelAndReferenceEvaluatorAgreeOnEveryPacket()
    {
        var firstSeed = EnvironmentNumber("MICROSEG_DIFF_SEED") ?? DefaultSeed;
        var policies = EnvironmentNumber("MICROSEG_DIFF_POLICIES") ?? DefaultPolicies;
        var options = new DatapathOptions
        {
            ObjectDirectory = Path.GetDirectoryName(ArtifactPaths.BpfObject("xdp_ingress"))!,
            Capacities = FixtureCapacities.Small with { Rules = 1024 },
        };
        using var kernel = new KernelProbe(options);
        var disagreements = new List<string>();
        var clock = Stopwatch.StartNew();
        long packets = 0;
        var tested = 0;
        var outcomes = new Dictionary<(Verdict, VerdictReason), int>();

        for (var seed = firstSeed; tested < policies; seed++)
        {
            var random = new Random(seed);
            var generated = RandomPolicy.Generate(random);
            var check = PolicyChecker.CheckText($"seed-{seed}.yaml", generated.Yaml);
            if (!check.IsValid)
                continue;
            tested++;
            // The test-run interface has some of the endpoints' addresses (none: no owner), and
            // the strangers' addresses no endpoint lists, which its owner judges.
            InterfaceAddresses[] interfaces = [TestRunInterfaceAddresses(generated, random)];
            var compiled = kernel.Start(check.Document!, interfaces[0]);
            var evaluator = new ReferenceEvaluator(check.Document!, interfaces);
            var scenarios = new PacketScenarios(generated, random);
            var yaml = generated.Yaml + $"\n# {interfaces[0].Name} has: {string.Join(", ", interfaces[0].Addresses)}\n";
            var changed = false;
            var disagreed = false;

            for (var sent = 0; sent < PacketsPerPolicy && !disagreed;)
            {
                if (!changed && sent >= PacketsPerPolicy / 2)
                {
                    changed = true;
                    var mutatedYaml = generated.Mutate(random);
                    var mutated = PolicyChecker.CheckText($"seed-{seed}-changed.yaml", mutatedYaml);
                    if (mutated.IsValid)
                    {
                        yaml += "\n# ---- changed half-way to ----\n" + mutatedYaml;
                        compiled = kernel.Change(mutated.Document!, interfaces[0]);
                        evaluator.ReplacePolicy(mutated.Document!);
                    }
                }
                foreach (var spec in scenarios.Next())
                {
                    var expected = evaluator.Judge(spec.Facts());
                    var expectedRule = expected.RuleName is null ? 0u : RuleId(compiled, expected.RuleName);
                    var actual = kernel.Run(spec.Direction, spec.Frame(), expected.Outcome,
                        expected.Reason, expectedRule);
                    sent++;
                    packets++;
                    outcomes[(expected.Outcome, expected.Reason)] = outcomes.GetValueOrDefault((expected.Outcome, expected.Reason)) + 1;
                    var agree = actual.Verdict == expected.Outcome && actual.Reason == expected.Reason &&
                                actual.RuleId == expectedRule && actual.Dropped == (expected.Outcome == Verdict.Deny);
                    if (!agree)
                    {
                        // The rest of this policy's flows would only repeat the story.
                        disagreements.Add(Describe(seed, sent, spec, expected, actual, compiled, yaml));
                        disagreed = true;
                        break;
                    }
                }
            }
        }

        output.WriteLine($"{packets} packets over {tested} policies (seeds {firstSeed}..) in {clock.Elapsed.TotalSeconds:F1} s; {disagreements.Count} policies with a disagreement");
        foreach (var ((outcome, reason), count) in outcomes.OrderByDescending(o => o.Value))
            output.WriteLine($"  {count,7}  {outcome}/{reason}");
        if (disagreements.Count > 0)
            Assert.Fail($"{disagreements.Count} of {tested} policies had a disagreement; the first:\n\n" +
                        string.Join("\n\n", disagreements.Take(ReportedDisagreements)));
        Assert.True(packets >= (long)policies * PacketsPerPolicy, $"only {packets} packets");
    }

    private static InterfaceAddresses TestRunInterfaceAddresses(RandomPolicy policy, Random random)
    {
        var listed = policy.LocalAddresses.OrderBy(_ => random.Next()).Take(random.Next(3)).Select(IPAddress.Parse);
        return new InterfaceAddresses(KernelProbe.TestRunInterface, [.. listed, IPAddress.Parse("fd99::ee"), IPAddress.Parse("10.99.250.1")]);
    }

    private static uint RuleId(CompiledPolicy compiled, string name) =>
        compiled.Rules.FirstOrDefault(r => r.Name == name)?.Id ?? uint.MaxValue;

    private static string Describe(int seed, int index, PacketSpec spec, Judgement expected, KernelOutcome actual,
        CompiledPolicy compiled, string yaml)
    {
        var text = new StringBuilder();
        text.AppendLine($"seed {seed} packet {index}: {spec}");
        text.AppendLine($"  evaluator: {expected.Outcome}/{expected.Reason} rule {expected.RuleName ?? "(default)"} — {expected.Explanation}");
        text.AppendLine($"  kernel:    {actual.Verdict}/{actual.Reason} rule {(actual.RuleId == 0 ? "(default)" : compiled.RuleName(actual.RuleId))}{(actual.Dropped ? ", dropped" : ", passed")}");
        text.AppendLine($"  replay:    MICROSEG_DIFF_SEED={seed} MICROSEG_DIFF_POLICIES=1 dotnet test tests/Microseg.Differential.Tests -c Release --filter KernelAndReferenceEvaluatorAgree");
        text.AppendLine("  policy:");
        foreach (var line in yaml.Split('\n'))
            text.AppendLine("    " + line);
        return text.ToString();
    }

    private static int? EnvironmentNumber(string name) =>
        int.TryParse(Environment.GetEnvironmentVariable(name), out var value) ? value : null;
}
