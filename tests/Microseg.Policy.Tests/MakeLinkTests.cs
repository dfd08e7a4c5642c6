using System.Diagnostics;

namespace Microseg.Policy.Tests;

/// <summary>`make link` puts the built microsegctl and microsegd on a PATH, and `make unlink` takes them off.</summary>
public sealed class MakeLinkTests
{
    [Fact]
    public async Task Make_link_puts_both_programs_in_BINDIR_and_unlink_removes_them()
    {
        using var bin = new TempDirectory();
        string config = Path.GetFileName(AppContext.BaseDirectory.TrimEnd('/'));

        Assert.Equal(0, (await Run("make", "-s", "-C", PolicyText.RepositoryRoot(), "link", $"BINDIR={bin.Path}", $"CONFIG={config}")).Code);
        foreach (string tool in new[] { "microsegctl", "microsegd" })
        {
            (int code, string output) = await Run(Path.Combine(bin.Path, tool), "--version");
            Assert.Equal(0, code);
            Assert.NotEmpty(output.Trim());
        }

        Assert.Equal(0, (await Run("make", "-s", "-C", PolicyText.RepositoryRoot(), "unlink", $"BINDIR={bin.Path}", $"CONFIG={config}")).Code);
        Assert.Empty(Directory.EnumerateFileSystemEntries(bin.Path));
    }

    private static async Task<(int Code, string Output)> Run(string program, params string[] args)
    {
        var start = new ProcessStartInfo(program, args) { RedirectStandardOutput = true, RedirectStandardError = true };
        using Process process = Process.Start(start)!;
        Task<string> output = process.StandardOutput.ReadToEndAsync();
        Task<string> error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await output + await error);
    }
}
