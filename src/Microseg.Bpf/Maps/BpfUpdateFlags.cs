namespace Microseg.Bpf;

/// <summary>The flags of BPF_MAP_UPDATE_ELEM (BPF_ANY, BPF_NOEXIST, BPF_EXIST).</summary>
public enum BpfUpdateFlags : ulong
{
    /// <summary>Create or overwrite.</summary>
    Any = 0,
    /// <summary>Create only; fails with EEXIST when the key is present.</summary>
    NoExist = 1,
    /// <summary>Overwrite only; fails with ENOENT when the key is absent.</summary>
    Exist = 2,
}
