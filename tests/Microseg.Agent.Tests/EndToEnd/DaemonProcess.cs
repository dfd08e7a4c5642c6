using System.Diagnostics;

namespace Microseg.Agent.Tests.EndToEnd;

/// <summary>
/// The built microsegd run as a real process, with its stderr (the log) collected line by line.
/// Dispose kills it if it still runs.
/// </summary>
internal sealed class DaemonProcess : IDisposable
{
    private readonly Process _process;
    private readonly List<string> _log = [];

    private DaemonProcess(Process process)
    {
        _process = process;
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is null)
                return;
            lock (_log)
                _log.Add(e.Data);
        };
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is null)
                return;
            lock (_log)
                _log.Add(e.Data);
        };
        process.BeginErrorReadLine();
        process.BeginOutputReadLine();
    }

    public int Pid => _process.Id;

    public bool HasExited => _process.HasExited;

    /// <summary>The log so far.</summary>
    public IReadOnlyList<string> Log
    {
        get
        {
            lock (_log)
                return [.. _log];
        }
    }

    public string LogText => string.Join('\n', Log);

    /// <summary>The daemon next to this test assembly's build: artifacts/dotnet/bin/Microseg.Agent/&lt;config&gt;/.</summary>
    public static string Directory
    {
        get
        {
            var own = AppContext.BaseDirectory.TrimEnd('/');
            var config = Path.GetFileName(own);
            var bin = Path.GetDirectoryName(Path.GetDirectoryName(own))!;
            return Path.Combine(bin, "Microseg.Agent", config);
        }
    }

    /// <summary>
    /// The daemon the end-to-end tests run: MICROSEG_TEST_DAEMON when set (tests/run-tests.sh names
    /// the Native AOT executable the package ships, artifacts/native/microsegd), else the build's.
    /// </summary>
    public static string Executable =>
        Environment.GetEnvironmentVariable("MICROSEG_TEST_DAEMON") is { Length: > 0 } shipped ? shipped : Path.Combine(Directory, "microsegd");

    /// <summary>Starts microsegd with <paramref name="args"/> and, when given, NOTIFY_SOCKET.</summary>
    public static DaemonProcess Start(IEnumerable<string> args, string? notifySocket, IDictionary<string, string>? environment = null)
    {
        var apphost = Executable;
        var start = File.Exists(apphost)
            ? new ProcessStartInfo(apphost)
            : new ProcessStartInfo("dotnet") { ArgumentList = { Path.Combine(Directory, "microsegd.dll") } };
        foreach (var arg in args)
            start.ArgumentList.Add(arg);
        start.RedirectStandardError = true;
        start.RedirectStandardOutput = true;
        start.UseShellExecute = false;
        start.Environment.Remove("NOTIFY_SOCKET");
        start.Environment.Remove("WATCHDOG_USEC");
        start.Environment.Remove("JOURNAL_STREAM");
        if (notifySocket is not null)
            start.Environment["NOTIFY_SOCKET"] = notifySocket;
        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
            start.Environment[key] = value;
        return new DaemonProcess(Process.Start(start) ?? throw new InvalidOperationException("microsegd did not start"));
    }

    /// <summary>Runs microsegd to completion; returns its exit code and log.</summary>
    public static (int ExitCode, string Log) RunToEnd(IEnumerable<string> args, TimeSpan timeout, IDictionary<string, string>? environment = null)
    {
        using var daemon = Start(args, null, environment);
        Assert.True(daemon.WaitForExit(timeout), $"microsegd {string.Join(' ', args)} did not exit within {timeout.TotalSeconds} s:\n{daemon.LogText}");
        return (daemon.ExitCode, daemon.LogText);
    }

    public int ExitCode => _process.ExitCode;

    public bool WaitForExit(TimeSpan timeout)
    {
        if (!_process.WaitForExit(timeout))
            return false;
        _process.WaitForExit(); // drains the redirected streams
        return true;
    }

    /// <summary>Sends a signal by number (15 SIGTERM, 9 SIGKILL, 1 SIGHUP).</summary>
    public void Signal(int signal)
    {
        if (Tmds.Linux.LibC.kill(_process.Id, signal) != 0)
            throw new InvalidOperationException($"kill({_process.Id}, {signal}) failed");
    }

    /// <summary>Waits until a log line contains <paramref name="text"/>.</summary>
    public string WaitForLog(string text, TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < timeout)
        {
            var line = Log.FirstOrDefault(l => l.Contains(text, StringComparison.Ordinal));
            if (line is not null)
                return line;
            Thread.Sleep(50);
        }
        Assert.Fail($"microsegd logged no '{text}' within {timeout.TotalSeconds} s:\n{LogText}");
        return "";
    }

    public void Dispose()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill();
                _process.WaitForExit(5000);
            }
        }
        catch (InvalidOperationException)
        {
        }
        _process.Dispose();
    }
}
