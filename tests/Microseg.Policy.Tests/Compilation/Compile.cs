using Microseg.Datapath.Loading;
using Microseg.Policy.Compilation;
using Microseg.Policy.Model;

namespace Microseg.Policy.Tests.Compilation;

/// <summary>Loads and validates policy text, failing the test on any error, then compiles it.</summary>
internal static class Compile
{
    public static PolicyDocument Document(string text, string path = "p.yaml")
    {
        PolicyCheckResult result = PolicyChecker.CheckText(path, text);
        Assert.True(result.IsValid, PolicyText.Render(result.Diagnostics));
        return result.Document!;
    }

    public static CompiledPolicy Text(string text, DatapathCapacities? capacities = null) =>
        new PolicyCompiler().Compile(Document(text), capacities ?? DatapathCapacities.Default);

    public static uint Id(CompiledPolicy policy, string ruleName) => policy.Rules.Single(r => r.Name == ruleName).Id;

    public static uint Identity(CompiledPolicy policy, string name) => policy.Identities.Single(i => i.Name == name).Id;
}
