using Microseg.Policy.Evaluation;
using Microseg.Policy.Model;
using Microseg.Datapath.Abi;

namespace Microseg.Policy.Tests.Evaluation;

/// <summary>Valid policies for the evaluator: inline text or the documented examples.</summary>
internal static class Policies
{
    public static PolicyDocument FromText(string yaml)
    {
        PolicyCheckResult result = PolicyText.Check(yaml);
        Assert.True(result.IsValid, PolicyText.Render(result.Diagnostics));
        return result.Document!;
    }

    public static string ExamplePath(string name) => Path.Combine(PolicyText.RepositoryRoot(), "docs", "examples", name);

    public static PolicyDocument Example(string name)
    {
        PolicyCheckResult result = PolicyChecker.CheckFile(ExamplePath(name));
        Assert.True(result.IsValid, PolicyText.Render(result.Diagnostics));
        return result.Document!;
    }

    public static ReferenceEvaluator Evaluator(string yaml) => new(FromText(yaml));

    /// <summary>Asserts outcome, reason and deciding rule at once, showing the explanation on failure.</summary>
    public static void Expect(Judgement j, Verdict outcome, VerdictReason reason, string? rule = null, string? kind = null)
    {
        Assert.True(
            (outcome, reason, rule) == (j.Outcome, j.Reason, j.RuleName) && (kind is null || kind == j.RuleKind),
            $"expected {outcome}/{reason}/{rule ?? "-"}{(kind is null ? "" : "/" + kind)}, got {j.Outcome}/{j.Reason}/{j.RuleName ?? "-"}/{j.RuleKind ?? "-"}: {j.Explanation}");
    }
}
