using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Microseg.Agent.Tests.Control;

namespace Microseg.Agent.Tests.Metrics;

/// <summary>
/// A real Prometheus server, on loopback with its own configuration and storage, scrapes a real
/// Kestrel serving /metrics and answers a query for one of microsegd's counters.
/// </summary>
public sealed class PrometheusServerTests
{
    // Prometheus starts in about a second and scrapes every second; 30 s is ample on a busy CI box.
    private static readonly TimeSpan QueryDeadline = TimeSpan.FromSeconds(30);

    [PrometheusFact("prometheus")]
    public async Task Prometheus_scrapes_microsegd_and_answers_a_query_for_its_packet_counter()
    {
        string prometheus = PrometheusTools.Require("prometheus");
        await using var target = await AgentTestServer.StartAsync(new FakeAgentStatus(), tcp: true);
        using var dir = new TempDirectory("microseg-prometheus-");
        int port = FreeLoopbackPort();
        string config = dir.File("prometheus.yml");
        await File.WriteAllTextAsync(config, $"""
            global:
              scrape_interval: 1s
              evaluation_interval: 1s
            scrape_configs:
              - job_name: microsegd
                scrape_interval: 1s
                scrape_timeout: 1s
                static_configs:
                  - targets: ['{target.TcpAddress!.Authority}']
            """);

        var start = new ProcessStartInfo(prometheus)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.ArgumentList.Add($"--config.file={config}");
        start.ArgumentList.Add($"--storage.tsdb.path={dir.File("data")}");
        start.ArgumentList.Add($"--web.listen-address=127.0.0.1:{port}");
        var log = new StringBuilder();
        using var process = new Process { StartInfo = start };
        process.OutputDataReceived += (_, e) => { lock (log) log.AppendLine(e.Data); };
        process.ErrorDataReceived += (_, e) => { lock (log) log.AppendLine(e.Data); };
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            using var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}/"), Timeout = TimeSpan.FromSeconds(5) };
            string query = Uri.EscapeDataString("microseg_packets_total{interface=\"eth0\",verdict=\"allow\"}");
            JsonElement? sample = null;
            var clock = Stopwatch.StartNew();
            while (sample is null && clock.Elapsed < QueryDeadline && !process.HasExited)
            {
                sample = await QueryAsync(client, $"api/v1/query?query={query}");
                if (sample is null)
                    await Task.Delay(250);
            }

            string diagnostics;
            lock (log)
                diagnostics = log.ToString();
            Assert.True(sample is not null, $"Prometheus had no sample after {clock.Elapsed.TotalSeconds:F0} s (exited: {process.HasExited}). Its log:\n{diagnostics}");
            JsonElement result = sample.Value;
            Assert.Equal("microsegd", result.GetProperty("metric").GetProperty("job").GetString());
            Assert.Equal("ingress", result.GetProperty("metric").GetProperty("direction").GetString());
            Assert.Equal("policy_rule", result.GetProperty("metric").GetProperty("reason").GetString());
            Assert.Equal("10", result.GetProperty("value")[1].GetString());
        }
        finally
        {
            if (!process.HasExited)
                process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }
    }

    /// <summary>The one sample a query answers, or null while Prometheus is not up or has nothing yet.</summary>
    private static async Task<JsonElement?> QueryAsync(HttpClient client, string path)
    {
        try
        {
            using HttpResponseMessage response = await client.GetAsync(path);
            if (!response.IsSuccessStatusCode)
                return null;
            using JsonDocument document = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
            JsonElement results = document.RootElement.GetProperty("data").GetProperty("result");
            return results.GetArrayLength() == 1 ? results[0].Clone() : null;
        }
        catch (HttpRequestException)
        {
            return null; // not listening yet
        }
        catch (TaskCanceledException)
        {
            return null; // starting slowly
        }
    }

    /// <summary>A loopback port nothing listens on right now (the system's pick, released at once).</summary>
    private static int FreeLoopbackPort()
    {
        using var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)listener.LocalEndPoint!).Port;
    }
}
