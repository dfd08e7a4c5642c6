using System.Net.Sockets;
using System.Runtime.InteropServices;
using Microseg.Bpf;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Tmds.Linux;

namespace Microseg.Agent.Control;

/// <summary>
/// The control API's unix socket: where it is, who may use it, and how Kestrel comes to listen on it.
/// Access is the file's: mode 0660, owner root, group <see cref="GroupName"/> when that group exists.
/// </summary>
public static class MicrosegControlSocket
{
    /// <summary>The file type bits of a mode, and the type of a socket (sys/stat.h S_IFMT, S_IFSOCK).</summary>
    internal const uint FileTypeMask = 0xF000, FileTypeSocket = 0xC000;

    /// <summary>Where microsegd listens and microsegctl connects unless told otherwise.</summary>
    public const string DefaultPath = "/run/microseg/microseg.sock";

    /// <summary>The group whose members may use the control API without being root.</summary>
    public const string GroupName = "microseg";

    /// <summary>Read and write for the owner and the group, nothing for others (connecting needs write).</summary>
    public const UnixFileMode Mode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.GroupWrite;

    /// <summary>
    /// Makes the host listen on the socket at <paramref name="path"/> and, once listening, gives the
    /// socket its mode and group (<see cref="Secure"/>); the socket file is removed at shutdown.
    /// Kestrel's other addresses (the metrics address) must be configured with
    /// <c>ConfigureKestrel</c> too, since explicit listeners replace <c>--urls</c>.
    /// </summary>
    public static WebApplicationBuilder AddMicrosegControlSocket(this WebApplicationBuilder builder, string path = DefaultPath, string group = GroupName)
    {
        builder.WebHost.ConfigureKestrel(kestrel => Listen(kestrel, path));
        builder.Services.AddHostedService(services =>
            new ControlSocketPermissions(path, group, services.GetRequiredService<ILogger<ControlSocketPermissions>>()));
        return builder;
    }

    /// <summary>
    /// Prepares <paramref name="path"/> (<see cref="Prepare"/>) and adds a Kestrel listener on it.
    /// </summary>
    public static void Listen(KestrelServerOptions kestrel, string path)
    {
        Prepare(path);
        kestrel.ListenUnixSocket(path);
    }

    /// <summary>
    /// Creates the socket's directory if needed and removes a stale socket a previous daemon left.
    /// Refuses, with the reason, when another process still listens there or the path is not a socket.
    /// </summary>
    /// <exception cref="IOException">The path is in use or is something other than a socket.</exception>
    public static void Prepare(string path)
    {
        string? directory = Path.GetDirectoryName(Path.GetFullPath(path));
        if (directory is not null)
            Directory.CreateDirectory(directory);

        uint? type = FileType(path);
        if (type is null)
            return;
        if (type != FileTypeSocket)
            throw new IOException($"{path} exists and is not a socket; remove it or choose another control socket path.");
        if (IsListening(path))
            throw new IOException($"Another process is listening on {path}: is microsegd already running?");
        File.Delete(path);
    }

    /// <summary>
    /// Sets the socket's mode to 0660 and its group to <paramref name="group"/>. Returns the group id
    /// given, or null when no such group exists (only root can use the socket then).
    /// </summary>
    /// <exception cref="IOException">chmod or chown failed.</exception>
    public static unsafe uint? Secure(string path, string group = GroupName)
    {
        byte[] pathBytes = Interop.Utf8z(path);
        // File.SetUnixFileMode would do, but chmod sits beside chown and needs no platform attribute.
        int rc;
        fixed (byte* p = pathBytes)
            rc = LibC.chmod(p, (ushort)Mode);
        if (rc != 0)
        {
            int errno = Interop.LastErrno;
            throw new IOException($"chmod {path} to 0660 failed: {Marshal.GetPInvokeErrorMessage(errno)}.");
        }

        if (GroupId(group) is not uint gid)
            return null;
        fixed (byte* p = pathBytes)
            rc = LibC.chown(p, uint.MaxValue, gid);
        if (rc != 0)
        {
            int errno = Interop.LastErrno;
            throw new IOException($"chown {path} to group {group} failed: {Marshal.GetPInvokeErrorMessage(errno)}.");
        }

        return gid;
    }

    /// <summary>The id of the group named <paramref name="name"/>, or null when there is none.</summary>
    internal static unsafe uint? GroupId(string name)
    {
        // Group files with many members need more than the usual 1 KiB; double until it fits.
        for (int size = 4096; size <= 1 << 20; size *= 2)
        {
            byte[] buffer = new byte[size];
            Interop.LibcExtra.Group group;
            Interop.LibcExtra.Group* result;
            int error;
            fixed (byte* bytes = buffer)
            {
                error = Interop.LibcExtra.getgrnam_r(name, &group, bytes, (nuint)size, &result);
            }

            if (error == LibC.ERANGE)
                continue;
            if (error != 0)
                throw new IOException($"Looking up group {name} failed: {Marshal.GetPInvokeErrorMessage(error)}.");
            return result is null ? null : group.Gid;
        }

        throw new IOException($"Looking up group {name} failed: its entry is larger than 1 MiB.");
    }

    /// <summary>The file type bits of what is at <paramref name="path"/> (not following a link), or null if nothing is.</summary>
    internal static uint? FileType(string path) => Status(path) is { } status ? status.Mode & FileTypeMask : null;

    /// <summary>Mode, owner and group of what is at <paramref name="path"/>, or null if nothing is.</summary>
    internal static (uint Mode, uint Uid, uint Gid)? Status(string path)
    {
        int errno = FileStatus.Of(path, LibC.AT_SYMLINK_NOFOLLOW, LibC.STATX_BASIC_STATS, out statx status);
        if (errno == 0)
            return (status.stx_mode, status.stx_uid, status.stx_gid);
        if (errno == LibC.ENOENT)
            return null;
        throw new IOException($"statx {path} failed: {Marshal.GetPInvokeErrorMessage(errno)}.");
    }

    private static bool IsListening(string path)
    {
        using var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            socket.Connect(new UnixDomainSocketEndPoint(path));
            return true;
        }
        catch (SocketException)
        {
            // Refused: the socket file outlived its daemon.
            return false;
        }
    }
}
