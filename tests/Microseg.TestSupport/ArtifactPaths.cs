namespace Microseg.TestSupport;

/// <summary>Locates build artifacts (compiled BPF objects) from a test's output directory.</summary>
public static class ArtifactPaths
{
    private static readonly Lazy<string> s_repositoryRoot = new(FindRepositoryRoot);

    /// <summary>The directory holding Microseg.sln.</summary>
    public static string RepositoryRoot => s_repositoryRoot.Value;

    /// <summary>The absolute path of artifacts/bpf/&lt;name&gt;.bpf.o; throws telling to run `make bpf` if it is missing.</summary>
    public static string BpfObject(string name)
    {
        string path = Path.Combine(RepositoryRoot, "artifacts", "bpf", name + ".bpf.o");
        if (!File.Exists(path))
            throw new FileNotFoundException($"The BPF object {path} does not exist; run `make bpf` first.", path);
        return path;
    }

    private static string FindRepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Microseg.sln")))
                return directory.FullName;
        }
        throw new InvalidOperationException($"Could not find Microseg.sln above {AppContext.BaseDirectory}.");
    }
}
