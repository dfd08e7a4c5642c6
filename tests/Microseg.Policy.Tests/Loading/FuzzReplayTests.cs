using Microseg.Policy.Compilation;
using Microseg.TestSupport;

namespace Microseg.Policy.Tests.Loading;

/// <summary>
/// Every policy input the fuzzer keeps (its corpus and every crash it found, fuzz/corpus/policy and
/// fuzz/regressions/policy) through the loader in-process, as <c>microsegctl policy check</c> runs it:
/// each gives a valid policy or diagnostics, never an exception. Runs without afl, in well under a
/// second, so a fixed crash stays fixed.
/// </summary>
public sealed class FuzzReplayTests
{
    public static TheoryData<string> Inputs() => new(FuzzInputs.Of("policy"));

    [Theory]
    [MemberData(nameof(Inputs))]
    public void Gives_a_policy_or_diagnostics_never_an_exception(string input)
    {
        string path = Path.Combine(ArtifactPaths.RepositoryRoot, input);

        PolicyCheckResult result = PolicyChecker.CheckFile(path, [PolicyCapacityCheck.Default]);

        Assert.True(result.IsValid || result.ReadFailure is not null || result.Diagnostics.Any(d => d.IsError),
            $"{input}: no policy and no error to say why");
        Assert.All(result.Diagnostics, d => Assert.True(d.Line >= 1 && d.Column >= 1 && d.Message.Length > 0, $"{input}: {d}"));
    }

    [Fact]
    public void The_corpus_is_there()
    {
        // A moved folder would otherwise leave the theory above with nothing to run.
        Assert.True(FuzzInputs.Of("policy").Count(i => i.StartsWith("fuzz/corpus/", StringComparison.Ordinal)) >= 20);
    }
}
