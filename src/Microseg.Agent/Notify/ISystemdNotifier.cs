namespace Microseg.Agent.Notify;

/// <summary>
/// The sd_notify protocol (systemd.service(5), sd_notify(3)): newline-separated KEY=VALUE
/// assignments in one datagram to the socket named by NOTIFY_SOCKET.
/// </summary>
public interface ISystemdNotifier
{
    /// <summary>True when a service manager listens (NOTIFY_SOCKET was set).</summary>
    bool IsEnabled { get; }

    /// <summary>Sends one message; does nothing when disabled. A failed send is logged, never thrown.</summary>
    void Notify(string state);
}
