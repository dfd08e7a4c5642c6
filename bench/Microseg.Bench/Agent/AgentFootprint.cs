using System.Diagnostics;
using System.Net.Sockets;
using System.Text;

namespace Microseg.Bench.Agent;

/// <summary>
/// microsegd's footprint as an operator meets it: a fresh start in a namespace of its own
/// (exec to READY=1 on a notify socket this bench owns), then resident memory and CPU while
/// idle. Each round starts from nothing (the previous round uninstalled everything).
/// </summary>
internal sealed class AgentFootprint(string daemon, string objectDirectory, string policy)
{
    private static readonly TimeSpan Settle = TimeSpan.FromSeconds(5), IdleWindow = TimeSpan.FromSeconds(20);

    public sealed record Round(double ReadyMs, double RssMb, double CpuPercent);

    public Round Measure(int round)
    {
        var tag = $"ms-fp-{Environment.ProcessId}-{round}";
        var work = Directory.CreateTempSubdirectory(tag).FullName;
        var pins = $"/sys/fs/bpf/{tag}";
        var notifyPath = Path.Combine(work, "notify.sock");
        string[] settings =
        [
            "--config", "/dev/null", "--interface", $"fp0@{tag}", "--policy", policy,
            "--bpf-dir", objectDirectory, "--state-dir", Path.Combine(work, "state"), "--pin-dir", pins,
            "--control-socket", Path.Combine(work, "control.sock"), "--metrics-address", $"127.0.0.1:{FreePort()}",
        ];
        Run("ip", "netns", "add", tag);
        try
        {
            Run("ip", "-n", tag, "link", "add", "fp0", "type", "veth", "peer", "name", "fp1");
            Run("ip", "-n", tag, "link", "set", "fp0", "up");
            Run("ip", "-n", tag, "link", "set", "fp1", "up");
            using var notify = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
            notify.Bind(new UnixDomainSocketEndPoint(notifyPath));
            notify.ReceiveTimeout = 30_000;

            var start = new ProcessStartInfo(daemon) { RedirectStandardError = true, RedirectStandardOutput = true };
            foreach (var s in settings)
                start.ArgumentList.Add(s);
            start.Environment["NOTIFY_SOCKET"] = notifyPath;
            var clock = Stopwatch.StartNew();
            using var process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {daemon}");
            process.ErrorDataReceived += (_, _) => { };
            process.OutputDataReceived += (_, _) => { };
            process.BeginErrorReadLine();
            process.BeginOutputReadLine();
            try
            {
                WaitForReady(notify);
                var readyMs = clock.Elapsed.TotalMilliseconds;
                Thread.Sleep(Settle);
                var cpuBefore = CpuNanoseconds(process.Id);
                var window = Stopwatch.StartNew();
                Thread.Sleep(IdleWindow);
                var cpuNanoseconds = CpuNanoseconds(process.Id) - cpuBefore;
                var cpuPercent = 100.0 * cpuNanoseconds / 1e9 / window.Elapsed.TotalSeconds;
                return new Round(readyMs, RssKb(process.Id) / 1024.0, cpuPercent);
            }
            finally
            {
                Run("kill", "-TERM", process.Id.ToString());
                if (!process.WaitForExit(15_000))
                    process.Kill();
                Run([daemon, .. settings, "--uninstall"]);
            }
        }
        finally
        {
            TryRun("ip", "netns", "del", tag);
            Directory.Delete(work, recursive: true);
            if (Directory.Exists(pins))
                Directory.Delete(pins, recursive: true);
        }
    }

    private static void WaitForReady(Socket notify)
    {
        var buffer = new byte[4096];
        while (true)
        {
            var length = notify.Receive(buffer);
            if (Encoding.UTF8.GetString(buffer, 0, length).Split('\n').Contains("READY=1"))
                return;
        }
    }

    // CPU time in nanoseconds summed over the process's threads (/proc/PID/task/*/schedstat, first
    // field): /proc/PID/stat counts in 10 ms ticks, too coarse for a 0.1 % target over 20 s (2 ticks).
    private static long CpuNanoseconds(int pid)
    {
        long total = 0;
        foreach (var task in Directory.EnumerateDirectories($"/proc/{pid}/task"))
        {
            try
            {
                total += long.Parse(File.ReadAllText(Path.Combine(task, "schedstat")).Split(' ')[0]);
            }
            catch (IOException)
            {
                // The thread exited between the listing and the read; its time is lost either way.
            }
        }
        return total;
    }

    private static long RssKb(int pid)
    {
        foreach (var line in File.ReadLines($"/proc/{pid}/status"))
        {
            if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
                return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]);
        }
        throw new InvalidOperationException($"no VmRSS for process {pid}");
    }

    private static int FreePort()
    {
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        return ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static void Run(params string[] command)
    {
        var (code, error) = Execute(command);
        if (code != 0)
            throw new InvalidOperationException($"{string.Join(' ', command)} failed: {error.Trim()}");
    }

    private static void TryRun(params string[] command) => Execute(command);

    private static (int Code, string Error) Execute(string[] command)
    {
        var start = new ProcessStartInfo(command[0]) { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var arg in command[1..])
            start.ArgumentList.Add(arg);
        using var process = Process.Start(start)!;
        var error = process.StandardError.ReadToEndAsync();
        process.StandardOutput.ReadToEnd();
        process.WaitForExit(60_000);
        return (process.ExitCode, error.Result);
    }
}
