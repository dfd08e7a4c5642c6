using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.Hosting.Systemd;

namespace Microseg.Agent.Notify;

/// <summary>The sd_notify messages microsegd sends through <see cref="ISystemdNotifier"/>, built in one place.</summary>
public static class NotifyMessages
{
    public static ServiceState Ready(string status) => new($"READY=1\nSTATUS={OneLine(status)}");

    /// <summary>RELOADING=1 needs MONOTONIC_USEC (CLOCK_MONOTONIC, µs) since systemd 253's Type=notify-reload.</summary>
    public static ServiceState Reloading(string status) =>
        new($"RELOADING=1\nMONOTONIC_USEC={MonotonicMicroseconds().ToString(CultureInfo.InvariantCulture)}\nSTATUS={OneLine(status)}");

    public static ServiceState Stopping(string status) => new($"STOPPING=1\nSTATUS={OneLine(status)}");

    public static ServiceState Status(string status) => new($"STATUS={OneLine(status)}");

    /// <summary>The keep-alive, built once: a ping encodes nothing.</summary>
    public static readonly ServiceState Watchdog = new("WATCHDOG=1");

    /// <summary>CLOCK_MONOTONIC in microseconds: on Linux the Stopwatch reads that clock.</summary>
    public static long MonotonicMicroseconds() =>
        (long)(Stopwatch.GetTimestamp() * (1_000_000.0 / Stopwatch.Frequency));

    /// <summary>A STATUS= value must not contain a newline: it would end the assignment.</summary>
    private static string OneLine(string text) => text.ReplaceLineEndings(" ");
}
