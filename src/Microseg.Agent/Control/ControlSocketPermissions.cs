using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Microseg.Agent.Control;

/// <summary>
/// Gives the control socket its mode and group once Kestrel has bound it, and removes the socket
/// file when the host stops. Until then the socket has the mode the umask left, which with the
/// daemon's 022 is owner-only: the window errs on the side of refusing.
/// </summary>
/// <param name="path">The socket's path.</param>
/// <param name="group">The group to give it (<see cref="MicrosegControlSocket.GroupName"/>).</param>
/// <param name="logger">Where the outcome goes.</param>
internal sealed class ControlSocketPermissions(string path, string group, ILogger<ControlSocketPermissions> logger) : IHostedLifecycleService
{
    // Lifecycle hooks run after every hosted service's StartAsync, the web server's included.
    public Task StartedAsync(CancellationToken cancellationToken)
    {
        uint? gid = MicrosegControlSocket.Secure(path, group);
        if (gid is null)
            logger.LogWarning("Control socket {Path}: mode 0660, but there is no group {Group}, so only root can use it", path, group);
        else
            logger.LogInformation("Control socket {Path}: mode 0660, group {Group} ({Gid})", path, group, gid);
        return Task.CompletedTask;
    }

    public Task StoppedAsync(CancellationToken cancellationToken)
    {
        if (MicrosegControlSocket.FileType(path) == MicrosegControlSocket.FileTypeSocket)
            File.Delete(path);
        return Task.CompletedTask;
    }

    public Task StartingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppingAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
