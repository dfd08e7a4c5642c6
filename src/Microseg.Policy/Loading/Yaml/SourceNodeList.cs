namespace Microseg.Policy.Loading.Yaml;

/// <summary>The items of a list node; enumerates without allocating.</summary>
internal readonly struct SourceNodeList(SourceTree tree, int first, int count)
{
    public int Count => count;

    public SourceNode this[int i] => (uint)i < (uint)count ? tree.Child(first + i) : throw new ArgumentOutOfRangeException(nameof(i));

    public Enumerator GetEnumerator() => new(this);

    /// <summary>Walks the items in order.</summary>
    public struct Enumerator(SourceNodeList list)
    {
        private int _next;

        public SourceNode Current { get; private set; }

        public bool MoveNext()
        {
            if (_next >= list.Count)
            {
                return false;
            }

            Current = list[_next++];
            return true;
        }
    }
}
