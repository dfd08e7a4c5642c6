using Microseg.Agent.Notify;
using Microsoft.Extensions.Hosting.Systemd;

namespace Microseg.Agent.Tests.Notify;

/// <summary>
/// The daemon's notifier (Microsoft.Extensions.Hosting.Systemd's, guarded) against a real datagram
/// socket, both kinds of address sd_notify(3) knows.
/// </summary>
[Collection(nameof(NotifySocketVariable))]
public sealed class SystemdNotifierTests
{
    private static readonly TimeSpan Soon = TimeSpan.FromSeconds(5);

    /// <summary>
    /// The notifier microsegd builds when NOTIFY_SOCKET is <paramref name="socketName"/>: the
    /// package's notifier reads the variable when constructed and takes no socket name otherwise.
    /// </summary>
    private static GuardedSystemdNotifier NotifierFor(string? socketName)
    {
        string? saved = Environment.GetEnvironmentVariable("NOTIFY_SOCKET");
        Environment.SetEnvironmentVariable("NOTIFY_SOCKET", socketName);
        try
        {
            return new GuardedSystemdNotifier();
        }
        finally
        {
            Environment.SetEnvironmentVariable("NOTIFY_SOCKET", saved);
        }
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void MessagesArriveWholeAtAPathOrAnAbstractSocket(bool isAbstract)
    {
        using var socket = new NotifySocket(isAbstract);
        var notifier = NotifierFor(socket.Name);
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
        var notifier = NotifierFor(socket.Name);
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
        var notifier = NotifierFor(null);
        Assert.False(notifier.IsEnabled);
        notifier.Notify(new ServiceState("READY=1")); // no socket, no exception
    }

    [Fact]
    public void AnUnsupportedSocketNameDisablesTheNotifier()
    {
        var notifier = NotifierFor("relative/notify.sock");
        Assert.False(notifier.IsEnabled);
    }

    [Fact]
    public void ASocketNameTooLongForAnAddressDisablesTheNotifier()
    {
        var notifier = NotifierFor("/run/" + new string('x', 200));
        Assert.False(notifier.IsEnabled);
        notifier.Notify(NotifyMessages.Watchdog); // nothing sent, nothing thrown
    }

    [Fact]
    public void AGoneSocketIsNotAnError()
    {
        var socket = new NotifySocket();
        var notifier = NotifierFor(socket.Name);
        socket.Dispose();
        notifier.Notify(new ServiceState("WATCHDOG=1"));
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

/// <summary>
/// Tests that set NOTIFY_SOCKET in this process run alone: a daemon another test starts meanwhile
/// would inherit it.
/// </summary>
[CollectionDefinition(nameof(NotifySocketVariable), DisableParallelization = true)]
public sealed class NotifySocketVariable;
