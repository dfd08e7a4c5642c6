namespace Microseg.Bpf;

public sealed partial class BpfMap<TKey, TValue>
{
    /// <summary>
    /// Walks the keys with BPF_MAP_GET_NEXT_KEY, one syscall per key, without allocating.
    /// It is its own enumerable so <c>foreach (var key in map.Keys)</c> works. The walk is
    /// not a snapshot: keys added meanwhile may or may not be seen, and deleting the
    /// current key of a hash map makes the kernel restart from the first key.
    /// </summary>
    public struct KeysEnumerator
    {
        private readonly BpfMap<TKey, TValue> _map;
        private TKey _current;
        private bool _started;
        private bool _finished;

        internal KeysEnumerator(BpfMap<TKey, TValue> map)
        {
            _map = map;
            _current = default;
            _started = false;
            _finished = false;
        }

        /// <summary>The key the last successful <see cref="MoveNext"/> reached.</summary>
        public readonly TKey Current => _current;

        /// <summary>Returns this enumerator (the foreach pattern).</summary>
        public readonly KeysEnumerator GetEnumerator() => this;

        /// <summary>Fetches the next key; false after the last.</summary>
        public bool MoveNext()
        {
            if (_finished)
                return false;
            bool found = _started ? _map.TryGetNextKey(_current, out _current) : _map.TryGetFirstKey(out _current);
            _started = true;
            _finished = !found;
            return found;
        }
    }
}
