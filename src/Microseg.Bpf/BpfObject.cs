using System.Runtime.InteropServices;
using System.Text;

namespace Microseg.Bpf;

/// <summary>
/// An eBPF ELF object opened with libbpf (<c>struct bpf_object*</c>): open, adjust
/// (map sizes, read-only globals), load, then find maps and programs by name. The maps and
/// programs handed out share the object's fds and become unusable when it is disposed.
/// </summary>
public sealed unsafe partial class BpfObject : IDisposable
{
    /// <summary>The libbpf object; closing it closes every map and program fd.</summary>
    private readonly SafeBpfObjectHandle _handle;

    /// <summary>Maps handed out so far, by name, so each name maps to one instance.</summary>
    private readonly Dictionary<string, BpfMap> _maps = new(StringComparer.Ordinal);

    /// <summary>Programs handed out so far, by C function name.</summary>
    private readonly Dictionary<string, BpfProgram> _programs = new(StringComparer.Ordinal);

    private BpfObject(SafeBpfObjectHandle handle, string path)
    {
        _handle = handle;
        Path = path;
    }

    /// <summary>The object file this was opened from.</summary>
    public string Path { get; }

    /// <summary>True once <see cref="Load"/> succeeded.</summary>
    public bool IsLoaded { get; private set; }

    /// <summary>True once disposed.</summary>
    public bool IsDisposed => _handle.IsClosed;

    /// <summary>The raw <c>struct bpf_object*</c>; valid while not disposed.</summary>
    internal nint Pointer
    {
        get
        {
            ObjectDisposedException.ThrowIf(_handle.IsClosed, this);
            return _handle.DangerousGetHandle();
        }
    }

    /// <summary>Opens (parses, does not load) an ELF object with bpf_object__open_file.</summary>
    /// <exception cref="BpfException">The file is missing (ENOENT) or not a valid BPF object.</exception>
    public static BpfObject Open(string objectPath, BpfObjectOpenOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(objectPath);
        LibbpfLog.EnsureInstalled();
        string fullPath = System.IO.Path.GetFullPath(objectPath);

        byte* objectName = options?.ObjectName is { } name ? Utf8(name) : null;
        byte* pinRoot = options?.PinRootPath is { } pin ? Utf8(pin) : null;
        try
        {
            var opts = new BpfObjectOpenOpts
            {
                Size = (nuint)sizeof(BpfObjectOpenOpts),
                ObjectName = objectName,
                PinRootPath = pinRoot,
            };
            long logPosition = LibbpfLog.Position;
            nint pointer = Interop.Libbpf.bpf_object__open_file(fullPath, &opts);
            if (pointer == 0)
            {
                int errno = Interop.LastErrno; // before the log read below can touch native code
                throw Interop.CreateException(errno, "bpf_object__open_file", fullPath, LibbpfLog.TextSince(logPosition).TrimEnd());
            }
            return new BpfObject(new SafeBpfObjectHandle(pointer), fullPath);
        }
        finally
        {
            NativeMemory.Free(objectName);
            NativeMemory.Free(pinRoot);
        }
    }

    /// <summary>Sets a map's max_entries; only before <see cref="Load"/>.</summary>
    public void SetMapMaxEntries(string mapName, uint maxEntries)
    {
        ThrowIfLoaded(nameof(SetMapMaxEntries));
        nint map = FindMapPointer(mapName);
        int rc = Interop.Libbpf.bpf_map__set_max_entries(map, maxEntries);
        if (rc < 0)
            Interop.Throw(rc, "bpf_map__set_max_entries", $"map '{mapName}' in {Path}");
    }

    /// <summary>
    /// Creates the maps and loads every program (bpf_object__load). When the verifier rejects
    /// a program, the exception message ends with libbpf's output, including the verifier log.
    /// </summary>
    public void Load()
    {
        ThrowIfLoaded(nameof(Load));
        LibbpfLog.EnsureInstalled();
        long logPosition = LibbpfLog.Position;
        int rc = Interop.Libbpf.bpf_object__load(Pointer);
        if (rc < 0)
            throw Interop.CreateException(rc, "bpf_object__load", Path, LoadLog(logPosition));
        IsLoaded = true;
    }

    /// <summary>The map with that name (as libbpf names it: the C variable, or "obj.rodata" style for globals).</summary>
    /// <exception cref="KeyNotFoundException">No such map; the message lists the maps the object has.</exception>
    public BpfMap GetMap(string name)
        => TryGetMap(name, out BpfMap? map) ? map : throw new KeyNotFoundException(
            $"BPF object {Path} has no map named '{name}'; it has: {string.Join(", ", MapNames)}.");

    /// <summary>Finds a map by name without throwing.</summary>
    public bool TryGetMap(string name, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out BpfMap? map)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (_maps.TryGetValue(name, out map))
            return true;
        nint pointer = Interop.Libbpf.bpf_object__find_map_by_name(Pointer, name);
        if (pointer == 0)
            return false;
        map = new BpfMap(this, pointer, name);
        _maps.Add(name, map);
        return true;
    }

    /// <summary>The program whose C function has that name.</summary>
    /// <exception cref="KeyNotFoundException">No such program.</exception>
    public BpfProgram GetProgram(string name)
        => TryGetProgram(name, out BpfProgram? program) ? program : throw new KeyNotFoundException(
            $"BPF object {Path} has no program (C function) named '{name}'.");

    /// <summary>Finds a program by C function name without throwing.</summary>
    public bool TryGetProgram(string name, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out BpfProgram? program)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (_programs.TryGetValue(name, out program))
            return true;
        nint pointer = Interop.Libbpf.bpf_object__find_program_by_name(Pointer, name);
        if (pointer == 0)
            return false;
        program = new BpfProgram(this, pointer, name);
        _programs.Add(name, program);
        return true;
    }

    /// <summary>Names of every map in the object, in ELF order.</summary>
    public IReadOnlyList<string> MapNames
    {
        get
        {
            var names = new List<string>();
            for (nint map = Interop.Libbpf.bpf_object__next_map(Pointer, 0); map != 0; map = Interop.Libbpf.bpf_object__next_map(Pointer, map))
                names.Add(Marshal.PtrToStringUTF8((nint)Interop.Libbpf.bpf_map__name(map)) ?? string.Empty);
            return names;
        }
    }

    /// <summary>Closes the object and every fd it owns; maps and programs from it become unusable.</summary>
    public void Dispose()
    {
        if (_handle.IsClosed)
            return;
        foreach (BpfMap map in _maps.Values)
            map.Invalidate();
        foreach (BpfProgram program in _programs.Values)
            program.Invalidate();
        _handle.Dispose();
    }

    internal nint FindMapPointer(string mapName)
    {
        nint map = Interop.Libbpf.bpf_object__find_map_by_name(Pointer, mapName);
        if (map == 0)
            throw new KeyNotFoundException($"BPF object {Path} has no map named '{mapName}'; it has: {string.Join(", ", MapNames)}.");
        return map;
    }

    private void ThrowIfLoaded(string operation)
    {
        ObjectDisposedException.ThrowIf(_handle.IsClosed, this);
        if (IsLoaded)
            throw new InvalidOperationException($"{operation} must be called before Load() ({Path} is already loaded).");
    }

    /// <summary>What libbpf printed during the failed load, trimmed to its last 16 KiB (the verifier's verdict is at the end).</summary>
    private static string LoadLog(long position)
    {
        const int MaxCharacters = 16 * 1024;
        string text = LibbpfLog.TextSince(position).TrimEnd();
        if (text.Length == 0)
            return "libbpf printed nothing (is another print callback installed?).";
        return text.Length <= MaxCharacters ? "libbpf/verifier log:" + Environment.NewLine + text
            : "libbpf/verifier log (last 16 KiB):" + Environment.NewLine + "..." + text[^MaxCharacters..];
    }

    /// <summary>A NUL-terminated UTF-8 copy in native memory; free with NativeMemory.Free.</summary>
    private static byte* Utf8(string value)
    {
        int length = Encoding.UTF8.GetByteCount(value);
        byte* buffer = (byte*)NativeMemory.Alloc((nuint)length + 1);
        Encoding.UTF8.GetBytes(value, new Span<byte>(buffer, length));
        buffer[length] = 0;
        return buffer;
    }
}
