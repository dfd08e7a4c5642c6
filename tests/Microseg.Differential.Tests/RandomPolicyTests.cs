using Microseg.Policy;

namespace Microseg.Differential.Tests;

/// <summary>The generator itself: it must produce valid policies, or the differential test
/// would spend its time on policies that never reach the kernel.</summary>
public sealed class RandomPolicyTests(Xunit.Abstractions.ITestOutputHelper output)
{
    [Fact]
    public void GeneratedPoliciesAreMostlyValid()
    {
        var valid = 0;
        var errors = new Dictionary<string, int>();
        for (var seed = 0; seed < 400; seed++)
        {
            var policy = RandomPolicy.Generate(new Random(seed));
            var result = PolicyChecker.CheckText("random.yaml", policy.Yaml);
            if (result.IsValid)
            {
                valid++;
                continue;
            }
            foreach (var d in result.Diagnostics.Where(d => d.IsError))
            {
                var key = d.Message.Length > 60 ? d.Message[..60] : d.Message;
                errors[key] = errors.GetValueOrDefault(key) + 1;
            }
        }
        foreach (var (message, count) in errors.OrderByDescending(e => e.Value))
            output.WriteLine($"{count,4}  {message}");
        output.WriteLine($"{valid} of 400 valid");
        Assert.True(valid >= 300, $"only {valid} of 400 generated policies are valid");
    }
}
