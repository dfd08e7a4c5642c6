using System.Diagnostics;
using Microseg.Agent.Tests.Control;

namespace Microseg.Agent.Tests.Metrics;

/// <summary>Prometheus's own linter accepts what /metrics serves.</summary>
public sealed class PromtoolTests
{
    [PrometheusFact("promtool")]
    public async Task Promtool_check_metrics_passes_on_the_served_text()
    {
        string promtool = PrometheusTools.Require("promtool");
        await using var server = await AgentTestServer.StartAsync(new FakeAgentStatus(), tcp: true);
        using HttpClient client = server.TcpClient();
        using HttpResponseMessage response = await client.GetAsync("metrics");
        string text = await response.Content.ReadAsStringAsync();
        Assert.Equal("text/plain; version=0.0.4; charset=utf-8", response.Content.Headers.ContentType?.ToString());

        (int code, string output) = await RunAsync(promtool, ["check", "metrics"], text);

        Assert.True(code == 0 && output.Length == 0, $"promtool check metrics exited {code}:\n{output}\non:\n{text}");
    }

    [PrometheusFact("promtool")]
    public async Task Promtool_is_a_real_check_it_rejects_a_counter_without_total()
    {
        string promtool = PrometheusTools.Require("promtool");

        (int code, string output) = await RunAsync(promtool, ["check", "metrics"], "# HELP bad_count x\n# TYPE bad_count counter\nbad_count 1\n");

        Assert.NotEqual(0, code);
        Assert.Contains("_total", output);
    }

    internal static async Task<(int Code, string Output)> RunAsync(string program, string[] arguments, string input)
    {
        var start = new ProcessStartInfo(program)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (string argument in arguments)
            start.ArgumentList.Add(argument);

        using Process process = Process.Start(start)!;
        Task<string> stdout = process.StandardOutput.ReadToEndAsync();
        Task<string> stderr = process.StandardError.ReadToEndAsync();
        await process.StandardInput.WriteAsync(input);
        process.StandardInput.Close();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, (await stdout + await stderr).Trim());
    }
}
