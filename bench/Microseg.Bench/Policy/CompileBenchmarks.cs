using BenchmarkDotNet.Attributes;
using Microseg.Datapath.Loading;
using Microseg.Policy;
using Microseg.Policy.Compilation;
using Microseg.Policy.Model;

namespace Microseg.Bench.Policy;

/// <summary>
/// The compiler alone (no YAML, no kernel) on a small and on the issue-sized policy, with
/// allocations: <c>dotnet run -c Release --project bench/Microseg.Bench -- policy-compile</c>.
/// </summary>
[MemoryDiagnoser]
public class CompileBenchmarks
{
    private readonly DatapathCapacities _capacities = DatapathCapacities.Default with { Rules = 131072 };
    private PolicyDocument _document = null!;
    private string? _directory;

    /// <summary>Identities, rules.</summary>
    [Params("100/1000", "10000/100000")]
    public string Size { get; set; } = "";

    [GlobalSetup]
    public void Setup()
    {
        string[] parts = Size.Split('/');
        _directory = Path.Combine(Path.GetTempPath(), $"microseg-compile-bench-{Environment.ProcessId}-{parts[1]}");
        string path = new GeneratedPolicy(int.Parse(parts[0]), int.Parse(parts[1])).WriteTo(_directory);
        PolicyCheckResult result = PolicyChecker.CheckFile(path);
        _document = result.Document ?? throw new InvalidOperationException("generated policy did not load");
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        if (_directory is not null)
        {
            Directory.Delete(_directory, recursive: true);
        }
    }

    [Benchmark]
    public int Compile() => new PolicyCompiler().Compile(_document, _capacities).Image.Policies.Count;
}
