using Microseg.Policy;
using Microseg.Policy.Diagnostics;

namespace Microseg.Policy.Tests;

/// <summary>Helpers to check policy text and render what was found the way microsegctl prints it.</summary>
internal static class PolicyText
{
    /// <summary>
    /// A valid policy of 12 lines (so a case's own lines start at line 13): identities web
    /// (10.0.1.10, app=web) and db (10.0.2.0/24, app=db), an endpoint for web, and management: [].
    /// </summary>
    public const string Base = """
        version: 1
        identities:
          - name: web
            labels: {app: web, env: prod}
            addresses: [10.0.1.10]
          - name: db
            labels: {app: db, env: prod}
            addresses: [10.0.2.0/24]
        endpoints:
          - identity: web
            addresses: [10.0.1.10]
        management: []

        """;

    public static PolicyCheckResult Check(string text, string path = "p.yaml") => PolicyChecker.CheckText(path, text);

    public static string Render(IEnumerable<Diagnostic> diagnostics) => string.Join("\n", diagnostics.Select(d => d.ToString()));

    /// <summary>The repository root, found from the test binary's location (artifacts/ lives inside it).</summary>
    public static string RepositoryRoot()
    {
        string? directory = AppContext.BaseDirectory;
        while (directory is not null && !File.Exists(Path.Combine(directory, "Microseg.sln")))
        {
            directory = Path.GetDirectoryName(directory);
        }

        return directory ?? throw new InvalidOperationException("Microseg.sln not found above " + AppContext.BaseDirectory);
    }
}
