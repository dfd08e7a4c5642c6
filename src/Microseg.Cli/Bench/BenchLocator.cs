namespace Microseg.Cli.Bench;

/// <summary>Finds the built benchmark program (Microseg.Bench.dll) of a source checkout.</summary>
internal static class BenchLocator
{
    /// <summary>Where builds land: the artifacts layout Directory.Build.props sets, or a project's own bin.</summary>
    private static readonly string[] s_buildDirectories = ["artifacts/dotnet/bin/Microseg.Bench", "bench/Microseg.Bench/bin"];

    /// <summary>MICROSEG_BENCH if set, else the newest build under the first checkout above the current directory or this binary; null if none.</summary>
    public static string? Find()
    {
        if (Environment.GetEnvironmentVariable("MICROSEG_BENCH") is { Length: > 0 } named)
            return File.Exists(named) ? Path.GetFullPath(named) : null;
        foreach (string start in new[] { Environment.CurrentDirectory, AppContext.BaseDirectory })
        {
            for (var d = new DirectoryInfo(start); d is not null; d = d.Parent)
            {
                if (!File.Exists(Path.Combine(d.FullName, "Microseg.sln")))
                    continue;
                // Release is what `make` builds; take the newest if there are several.
                return s_buildDirectories.Select(b => Path.Combine(d.FullName, b)).Where(Directory.Exists)
                    .SelectMany(b => Directory.EnumerateFiles(b, "Microseg.Bench.dll", SearchOption.AllDirectories))
                    .OrderByDescending(f => f.Contains("/release/", StringComparison.OrdinalIgnoreCase))
                    .ThenByDescending(File.GetLastWriteTimeUtc)
                    .FirstOrDefault();
            }
        }

        return null;
    }

    /// <summary>The checkout holding <paramref name="program"/>, so the benchmark finds artifacts/bpf; null if it is not in one.</summary>
    public static string? CheckoutOf(string program)
    {
        for (var d = new DirectoryInfo(Path.GetDirectoryName(program)!); d is not null; d = d.Parent)
        {
            if (File.Exists(Path.Combine(d.FullName, "Microseg.sln")))
                return d.FullName;
        }

        return null;
    }
}
