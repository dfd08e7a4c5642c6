namespace Microseg.TestSupport;

/// <summary>
/// The inputs the fuzzing harness keeps in the repository (docs/fuzzing.md): the corpus afl starts
/// from and the crashes it found, which the loaders' replay tests run in-process without afl.
/// </summary>
public static class FuzzInputs
{
    /// <summary>
    /// Every file of fuzz/corpus/<paramref name="target"/> and fuzz/regressions/<paramref name="target"/>,
    /// as paths relative to the repository root (readable names for the test cases), in ordinal order.
    /// </summary>
    public static IReadOnlyList<string> Of(string target) =>
        new[] { "corpus", "regressions" }
            .Select(kind => Path.Combine(ArtifactPaths.RepositoryRoot, "fuzz", kind, target))
            .Where(Directory.Exists)
            .SelectMany(Directory.EnumerateFiles)
            .Select(file => Path.GetRelativePath(ArtifactPaths.RepositoryRoot, file))
            .Order(StringComparer.Ordinal)
            .ToList();
}
