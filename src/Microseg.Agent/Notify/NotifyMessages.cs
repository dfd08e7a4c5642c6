using System.Diagnostics;
using System.Globalization;

namespace Microseg.Agent.Notify;

/// <summary>The messages microsegd sends, built in one place.</summary>
public static class NotifyMessages
{
    public static string Ready(string status) => $"READY=1\nSTATUS={OneLine(status)}";

    /// <summary>RELOADING=1 needs MONOTONIC_USEC (CLOCK_MONOTONIC, µs) since systemd 253's Type=notify-reload.</summary>
    public static string Reloading(string status) =>
        $"RELOADING=1\nMONOTONIC_USEC={MonotonicMicroseconds().ToString(CultureInfo.InvariantCulture)}\nSTATUS={OneLine(status)}";

    public static string Stopping(string status) => $"STOPPING=1\nSTATUS={OneLine(status)}";

    public static string Status(string status) => $"STATUS={OneLine(status)}";

    public const string Watchdog = "WATCHDOG=1";

    /// <summary>CLOCK_MONOTONIC in microseconds: on Linux the Stopwatch reads that clock.</summary>
    public static long MonotonicMicroseconds() =>
        (long)(Stopwatch.GetTimestamp() * (1_000_000.0 / Stopwatch.Frequency));

    /// <summary>A STATUS= value must not contain a newline: it would end the assignment.</summary>
    private static string OneLine(string text) => text.ReplaceLineEndings(" ");
}
