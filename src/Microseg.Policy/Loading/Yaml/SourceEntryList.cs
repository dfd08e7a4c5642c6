namespace Microseg.Policy.Loading.Yaml;

/// <summary>The entries of a mapping node, key and value; enumerates without allocating.</summary>
internal readonly struct SourceEntryList(SourceTree tree, int first, int count)
{
    public int Count => count;

    public SourceNode Key(int i) => (uint)i < (uint)count ? tree.Child(first + (2 * i)) : throw new ArgumentOutOfRangeException(nameof(i));

    public SourceNode Value(int i) => (uint)i < (uint)count ? tree.Child(first + (2 * i) + 1) : throw new ArgumentOutOfRangeException(nameof(i));

    public Enumerator GetEnumerator() => new(this);

    /// <summary>Walks the entries in order, as (key, value).</summary>
    public struct Enumerator(SourceEntryList list)
    {
        private int _next;

        public KeyValuePair<SourceNode, SourceNode> Current { get; private set; }

        public bool MoveNext()
        {
            if (_next >= list.Count)
            {
                return false;
            }

            Current = KeyValuePair.Create(list.Key(_next), list.Value(_next));
            _next++;
            return true;
        }
    }
}
