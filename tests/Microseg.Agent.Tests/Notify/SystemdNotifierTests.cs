using Microseg.Agent.Notify;

namespace Microseg.Agent.Tests.Notify;

/// <summary>The notifier against a real datagram socket, both kinds of address sd_notify(3) knows.</summary>
public sealed class SystemdNotifierTests
{
    private static readonly TimeSpan Soon = TimeSpan.FromSeconds(5);

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void MessagesArriveWholeAtAPathOrAnAbstractSocket(bool isAbstract)
    {
        using var socket = new NotifySocket(isAbstract);
        using var notifier = new SystemdNotifier(socket.Name);
        Assert.True(notifier.IsEnabled);

        notifier.Notify(NotifyMessages.Ready("enforcing generation 3\non 2 interfaces"));
        var ready = socket.WaitFor("READY=1", Soon);
        // A newline in the status would end the assignment early: it is folded into the line.
        Assert.Equal("READY=1\nSTATUS=enforcing generation 3 on 2 interfaces", ready);

        notifier.Notify(NotifyMessages.Stopping("bye"));
        Assert.Equal("STOPPING=1\nSTATUS=bye", socket.WaitFor("STOPPING=1", Soon));
    }

    [Fact]
    public void ReloadingCarriesTheMonotonicClockInMicroseconds()
    {
        using var socket = new NotifySocket();
        using var notifier = new SystemdNotifier(socket.Name);
        var before = NotifyMessages.MonotonicMicroseconds();
        notifier.Notify(NotifyMessages.Reloading("reloading"));
        var message = socket.WaitFor("RELOADING=1", Soon);
        var after = NotifyMessages.MonotonicMicroseconds();

        var stamp = long.Parse(NotifySocket.Value(message, "MONOTONIC_USEC")!);
        Assert.InRange(stamp, before, after);
        // CLOCK_MONOTONIC as /proc/uptime counts it (both from boot, suspend aside): within a few seconds.
        var uptime = double.Parse(File.ReadAllText("/proc/uptime").Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange(stamp / 1e6, uptime - 5, uptime + 5);
    }

    [Fact]
    public void WithoutNotifySocketNothingIsSent()
    {
        using var notifier = new SystemdNotifier((string?)null);
        Assert.False(notifier.IsEnabled);
        notifier.Notify("READY=1"); // no socket, no exception
    }

    [Fact]
    public void AnUnsupportedSocketNameDisablesTheNotifier()
    {
        using var notifier = new SystemdNotifier("relative/notify.sock");
        Assert.False(notifier.IsEnabled);
    }

    [Fact]
    public void AGoneSocketIsNotAnError()
    {
        var socket = new NotifySocket();
        using var notifier = new SystemdNotifier(socket.Name);
        socket.Dispose();
        notifier.Notify("WATCHDOG=1");
    }

    [Theory]
    [InlineData("30000000", null, 1000, 15_000_000L)]   // half of 30 s
    [InlineData("30000000", "1000", 1000, 15_000_000L)] // meant for us
    [InlineData("1", null, 1000, 1000L)]                 // absurdly short: pinged every millisecond
    [InlineData("30000000", "999", 1000, -1L)]          // meant for another process
    [InlineData("0", null, 1000, -1L)]
    [InlineData("", null, 1000, -1L)]
    [InlineData(null, null, 1000, -1L)]
    [InlineData("soon", null, 1000, -1L)]
    [InlineData("30000000", "pid", 1000, -1L)]
    public void WatchdogPingsAtHalfTheTimeoutOnlyForItsOwnPid(string? usec, string? pid, int ownPid, long expectedMicroseconds)
    {
        var interval = WatchdogSettings.PingInterval(usec, pid, ownPid);
        if (expectedMicroseconds < 0)
            Assert.Null(interval);
        else
            Assert.Equal(TimeSpan.FromMicroseconds(expectedMicroseconds), interval);
    }
}
