using Microseg.Bpf;
using Microsoft.Extensions.Logging;
using Tmds.Linux;

namespace Microseg.Agent.Attribution;

/// <summary>
/// Names cgroup v2 ids: the id is the inode number of the cgroup's directory under the cgroup2
/// mount, so a walk of the mount maps ids to paths, and a path to a systemd unit
/// (<see cref="UnitName"/>). The map is kept and walked again when an id is missing (a cgroup made
/// since), at most once per <see cref="MinRescanInterval"/> and over at most
/// <see cref="MaxCgroups"/> directories. Not thread-safe: one resolver thread uses it.
/// </summary>
internal sealed class CgroupUnits(string? mountPoint, ILogger logger)
{
    /// <summary>Directories mapped at most: a busy systemd host has a few hundred; containers hosts a few thousand.</summary>
    public const int MaxCgroups = 32_768;

    /// <summary>
    /// The least time between walks: an id a walk did not find (a cgroup already removed) is
    /// asked for again with every flow of its socket, and a walk costs milliseconds.
    /// </summary>
    public static readonly TimeSpan MinRescanInterval = TimeSpan.FromSeconds(1);

    // Unit names by cgroup id, as of the last walk.
    private Dictionary<ulong, string> _units = [];

    // When the last walk started (Environment.TickCount64); null before the first.
    private long? _lastWalk;

    private bool _warnedFull;

    /// <summary>The cgroup2 file system's mount point, or null when none is mounted (nothing can be named).</summary>
    public string? MountPoint { get; } = mountPoint;

    /// <summary>Walks made since start.</summary>
    public int Walks { get; private set; }

    /// <summary>The cgroup2 mount of this process's mount namespace, read from /proc/self/mountinfo; null when there is none.</summary>
    public static string? FindMountPoint(string mountInfoPath = "/proc/self/mountinfo")
    {
        try
        {
            return FindMountPoint(File.ReadLines(mountInfoPath));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>
    /// The first cgroup2 mount in mountinfo lines (proc(5): the fifth field is the mount point,
    /// the file system type follows the " - " separator). On a unified host it is /sys/fs/cgroup;
    /// on a hybrid one, /sys/fs/cgroup/unified.
    /// </summary>
    public static string? FindMountPoint(IEnumerable<string> mountInfoLines)
    {
        foreach (string line in mountInfoLines)
        {
            int separator = line.IndexOf(" - ", StringComparison.Ordinal);
            if (separator < 0 || !line.AsSpan(separator + 3).StartsWith("cgroup2 ", StringComparison.Ordinal))
                continue;
            string[] fields = line[..separator].Split(' ');
            if (fields.Length >= 5)
                return Unescape(fields[4]);
        }
        return null;
    }

    /// <summary>The unit of the cgroup <paramref name="id"/>, or null when no cgroup of that id exists now.</summary>
    public string? UnitOf(ulong id)
    {
        if (_units.TryGetValue(id, out string? unit))
            return unit;
        if (MountPoint is null || (_lastWalk is { } last && Environment.TickCount64 - last < (long)MinRescanInterval.TotalMilliseconds))
            return null;
        Walk();
        return _units.GetValueOrDefault(id);
    }

    /// <summary>
    /// The name a cgroup path (relative to the mount, starting with '/') is shown by: its innermost
    /// component that is a systemd service or scope (<c>/system.slice/nginx.service</c> →
    /// <c>nginx.service</c>, <c>/user.slice/user-1000.slice/session-3.scope</c> → <c>session-3.scope</c>;
    /// a service's own sub-cgroups count as the service); otherwise the path itself
    /// (<c>/kubepods/besteffort/pod…</c>): a cgroup no unit owns is named by where it is, and the
    /// root cgroup by <see cref="Microseg.Flows.Records.LocalUnitName.RootCgroup"/>.
    /// </summary>
    public static string UnitName(string path)
    {
        string[] parts = path.Split('/', StringSplitOptions.RemoveEmptyEntries);
        for (int i = parts.Length - 1; i >= 0; i--)
        {
            if (parts[i].EndsWith(".service", StringComparison.Ordinal) || parts[i].EndsWith(".scope", StringComparison.Ordinal))
                return parts[i];
        }
        return parts.Length == 0 ? Microseg.Flows.Records.LocalUnitName.RootCgroup : "/" + string.Join('/', parts);
    }

    private void Walk()
    {
        _lastWalk = Environment.TickCount64;
        Walks++;
        var units = new Dictionary<ulong, string>();
        string root = MountPoint!;
        Add(units, root, "/");
        var options = new EnumerationOptions { RecurseSubdirectories = true, IgnoreInaccessible = true, AttributesToSkip = 0 };
        try
        {
            foreach (string directory in Directory.EnumerateDirectories(root, "*", options))
            {
                if (units.Count >= MaxCgroups)
                {
                    if (!_warnedFull)
                        logger.LogWarning("More than {Max} cgroups under {Mount}: flows of the others are not named with their unit.", MaxCgroups, root);
                    _warnedFull = true;
                    break;
                }
                Add(units, directory, directory[root.TrimEnd('/').Length..]);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            logger.LogWarning("Walking the cgroups under {Mount} failed: {Error}", root, e.Message);
        }
        _units = units;
    }

    private static void Add(Dictionary<ulong, string> units, string directory, string relative)
    {
        // A cgroup removed during the walk is simply left out.
        if (FileStatus.Of(directory, LibC.AT_SYMLINK_NOFOLLOW, LibC.STATX_INO, out statx status) == 0)
            units[status.stx_ino] = UnitName(relative);
    }

    /// <summary>mountinfo escapes space, tab, newline and backslash as \ooo octal.</summary>
    private static string Unescape(string field)
    {
        if (!field.Contains('\\'))
            return field;
        var text = new System.Text.StringBuilder(field.Length);
        for (int i = 0; i < field.Length; i++)
        {
            if (field[i] == '\\' && i + 3 < field.Length && IsOctal(field.AsSpan(i + 1, 3)))
            {
                text.Append((char)Convert.ToInt32(field.Substring(i + 1, 3), 8));
                i += 3;
            }
            else
            {
                text.Append(field[i]);
            }
        }
        return text.ToString();
    }

    private static bool IsOctal(ReadOnlySpan<char> digits) => digits.Length == 3 && digits.IndexOfAnyExceptInRange('0', '7') < 0;
}
