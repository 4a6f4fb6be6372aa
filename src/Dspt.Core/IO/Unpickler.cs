using System.Buffers.Binary;
using System.Text;

namespace Dspt.IO;

/// <summary>
/// What the pickle machine may not decide by itself: which globals exist and what calling them
/// means. <see cref="TorchPickleHost"/> answers with a short allow-list, so nothing is executed.
/// </summary>
internal interface IUnpicklerHost
{
    /// <summary>GLOBAL / STACK_GLOBAL: a token for an allowed global; anything else throws.</summary>
    object ResolveGlobal(string module, string name);

    /// <summary>REDUCE and NEWOBJ: "call" an allowed global with the given arguments.</summary>
    object? Call(object callable, object?[] args);

    /// <summary>BUILD: set the state of an object that <see cref="Call"/> made.</summary>
    void Build(object? target, object? state);

    /// <summary>BINPERSID: the object a persistent id stands for (torch: a tensor storage).</summary>
    object? PersistentLoad(object? pid);
}

/// <summary>
/// A pickle virtual machine for the binary opcodes (protocols 2 to 5) that <c>torch.save</c> and
/// Python's pickler emit for plain data. It builds dicts (<see cref="PickleDict"/>), lists
/// (<c>List&lt;object?&gt;</c>), tuples (<c>object?[]</c>), <see cref="long"/>, <see cref="double"/>,
/// <see cref="bool"/>, <see cref="string"/>, <c>byte[]</c> and null; every global goes through the
/// host. Unknown opcodes are refused rather than guessed at.
/// </summary>
internal sealed class Unpickler
{
    readonly byte[] data;
    readonly string source;
    readonly IUnpicklerHost host;
    readonly List<object?> stack = [];
    readonly Stack<int> marks = new();
    readonly Dictionary<long, object?> memo = [];
    int pos;
    int opAt;

    Unpickler(byte[] data, string source, IUnpicklerHost host)
    {
        this.data = data;
        this.source = source;
        this.host = host;
    }

    /// <param name="source">Names the pickle in error messages, e.g. "model.pt (archive/data.pkl)".</param>
    public static object? Load(byte[] data, string source, IUnpicklerHost host) =>
        new Unpickler(data, source, host).Run();

    object? Run()
    {
        while (true)
        {
            if (pos >= data.Length)
                throw Bad("the pickle ends without a STOP opcode (truncated?)");
            opAt = pos;
            byte op = data[pos++];
            switch (op)
            {
                case 0x80: // PROTO
                    byte proto = ReadByte();
                    if (proto > 5) throw Bad($"pickle protocol {proto} is newer than 5");
                    break;
                case 0x95: Take(8); break; // FRAME: only a read-ahead hint
                case (byte)'.': // STOP
                    if (stack.Count != 1 || marks.Count != 0)
                        throw Bad($"STOP with {stack.Count} objects on the stack and {marks.Count} open marks (expected exactly one object)");
                    return stack[0];

                case (byte)'(': marks.Push(stack.Count); break; // MARK
                case (byte)'0': Pop(); break; // POP
                case (byte)'1': PopMark(); break; // POP_MARK
                case (byte)'2': Push(Peek()); break; // DUP

                case (byte)'N': Push(null); break; // NONE
                case 0x88: Push(true); break; // NEWTRUE
                case 0x89: Push(false); break; // NEWFALSE
                case (byte)'J': Push((long)BinaryPrimitives.ReadInt32LittleEndian(Take(4))); break; // BININT
                case (byte)'K': Push((long)ReadByte()); break; // BININT1
                case (byte)'M': Push((long)BinaryPrimitives.ReadUInt16LittleEndian(Take(2))); break; // BININT2
                case 0x8a: Push(ReadLong(ReadByte())); break; // LONG1
                case 0x8b: Push(ReadLong(ReadLength(BinaryPrimitives.ReadInt32LittleEndian(Take(4))))); break; // LONG4
                case (byte)'G': Push(BinaryPrimitives.ReadDoubleBigEndian(Take(8))); break; // BINFLOAT

                case (byte)'X': Push(ReadUtf8(BinaryPrimitives.ReadUInt32LittleEndian(Take(4)))); break; // BINUNICODE
                case 0x8c: Push(ReadUtf8(ReadByte())); break; // SHORT_BINUNICODE
                case 0x8d: Push(ReadUtf8(BinaryPrimitives.ReadUInt64LittleEndian(Take(8)))); break; // BINUNICODE8
                case (byte)'T': Push(Encoding.Latin1.GetString(Take(ReadLength(BinaryPrimitives.ReadInt32LittleEndian(Take(4)))))); break; // BINSTRING
                case (byte)'U': Push(Encoding.Latin1.GetString(Take(ReadByte()))); break; // SHORT_BINSTRING
                case (byte)'B': Push(Take(ReadLengthU(BinaryPrimitives.ReadUInt32LittleEndian(Take(4)))).ToArray()); break; // BINBYTES
                case (byte)'C': Push(Take(ReadByte()).ToArray()); break; // SHORT_BINBYTES
                case 0x8e: Push(Take(ReadLengthU(BinaryPrimitives.ReadUInt64LittleEndian(Take(8)))).ToArray()); break; // BINBYTES8

                case (byte)')': Push(Array.Empty<object?>()); break; // EMPTY_TUPLE
                case 0x85: Push(new[] { Pop() }); break; // TUPLE1
                case 0x86: { var b = Pop(); var a = Pop(); Push(new[] { a, b }); break; } // TUPLE2
                case 0x87: { var c = Pop(); var b = Pop(); var a = Pop(); Push(new[] { a, b, c }); break; } // TUPLE3
                case (byte)'t': Push(PopMark().ToArray()); break; // TUPLE
                case (byte)']': Push(new List<object?>()); break; // EMPTY_LIST
                case (byte)'l': Push(PopMark()); break; // LIST
                case (byte)'a': { var item = Pop(); TopList().Add(item); break; } // APPEND
                case (byte)'e': { var items = PopMark(); TopList().AddRange(items); break; } // APPENDS
                case (byte)'}': Push(new PickleDict()); break; // EMPTY_DICT
                case (byte)'d': { var items = PopMark(); var dict = new PickleDict(); SetItems(dict, items); Push(dict); break; } // DICT
                case (byte)'s': { var value = Pop(); var key = Pop(); SetItems(TopDict(), [key, value]); break; } // SETITEM
                case (byte)'u': { var items = PopMark(); SetItems(TopDict(), items); break; } // SETITEMS

                case (byte)'q': memo[ReadByte()] = Peek(); break; // BINPUT
                case (byte)'r': memo[BinaryPrimitives.ReadUInt32LittleEndian(Take(4))] = Peek(); break; // LONG_BINPUT
                case 0x94: memo[memo.Count] = Peek(); break; // MEMOIZE
                case (byte)'h': Push(MemoGet(ReadByte())); break; // BINGET
                case (byte)'j': Push(MemoGet(BinaryPrimitives.ReadUInt32LittleEndian(Take(4)))); break; // LONG_BINGET

                case (byte)'c': // GLOBAL
                {
                    string module = ReadLine(), name = ReadLine();
                    Push(host.ResolveGlobal(module, name));
                    break;
                }
                case 0x93: // STACK_GLOBAL
                {
                    var name = Pop();
                    var module = Pop();
                    if (module is not string m || name is not string n)
                        throw Bad("STACK_GLOBAL needs two strings (module, name) on the stack");
                    Push(host.ResolveGlobal(m, n));
                    break;
                }
                case (byte)'R': // REDUCE
                {
                    var args = Pop();
                    var callable = Pop();
                    if (args is not object?[] tuple) throw Bad("REDUCE needs an argument tuple");
                    Push(host.Call(callable ?? throw Bad("REDUCE on None"), tuple));
                    break;
                }
                case 0x81: // NEWOBJ: cls.__new__(cls, *args); for the allowed classes the same as a call
                {
                    var args = Pop();
                    var cls = Pop();
                    if (args is not object?[] tuple) throw Bad("NEWOBJ needs an argument tuple");
                    Push(host.Call(cls ?? throw Bad("NEWOBJ on None"), tuple));
                    break;
                }
                case (byte)'b': // BUILD
                {
                    var state = Pop();
                    host.Build(Peek(), state);
                    break;
                }
                case (byte)'Q': Push(host.PersistentLoad(Pop())); break; // BINPERSID

                default:
                    throw Bad($"unsupported pickle opcode 0x{op:x2} ('{(op is >= 0x20 and < 0x7f ? (char)op : '?')}'); a torch state dict does not use it");
            }
        }
    }

    InvalidInputException Bad(string what) => new($"{source}: offset {opAt}: {what}");

    void Push(object? value) => stack.Add(value);

    object? Peek() => stack.Count > (marks.Count > 0 ? marks.Peek() : 0)
        ? stack[^1]
        : throw Bad("the stack is empty (or only holds a mark)");

    object? Pop()
    {
        var value = Peek();
        stack.RemoveAt(stack.Count - 1);
        return value;
    }

    List<object?> PopMark()
    {
        if (marks.Count == 0) throw Bad("an opcode needs a MARK but none is open");
        int start = marks.Pop();
        var items = stack.GetRange(start, stack.Count - start);
        stack.RemoveRange(start, stack.Count - start);
        return items;
    }

    List<object?> TopList() => Peek() as List<object?> ?? throw Bad("APPEND(S) on something that is not a list");

    PickleDict TopDict() => Peek() as PickleDict ?? throw Bad("SETITEM(S) on something that is not a dict");

    void SetItems(PickleDict dict, List<object?> items)
    {
        if (items.Count % 2 != 0) throw Bad("SETITEMS with an odd number of keys and values");
        for (int i = 0; i < items.Count; i += 2)
        {
            // Tuple keys may only hold scalars: hashing a nested tuple recurses, and a hostile file
            // could nest deep enough to overflow the stack.
            var key = items[i] switch
            {
                string or long or double or bool => items[i]!,
                object?[] tuple when tuple.All(x => x is null or string or long or double or bool) => tuple,
                var k => throw Bad($"dict key of type {Describe(k)} is not supported (expected str, int, float, bool or a tuple of those)"),
            };
            dict[key] = items[i + 1];
        }
    }

    object? MemoGet(long index) =>
        memo.TryGetValue(index, out var value) ? value : throw Bad($"memo entry {index} is read before it is written");

    byte ReadByte() => pos < data.Length ? data[pos++] : throw Bad("the pickle is truncated");

    int ReadLength(long length) =>
        length >= 0 && length <= data.Length - pos ? (int)length : throw Bad($"length {length} runs past the end of the pickle");

    int ReadLengthU(ulong length) => ReadLength(length > (ulong)data.Length ? -1L : (long)length);

    ReadOnlySpan<byte> Take(int count)
    {
        if (count > data.Length - pos) throw Bad("the pickle is truncated");
        var span = data.AsSpan(pos, count);
        pos += count;
        return span;
    }

    string ReadUtf8(ulong length)
    {
        var bytes = Take(ReadLengthU(length));
        try { return new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(bytes); }
        catch (DecoderFallbackException) { throw Bad("a string is not valid UTF-8"); }
    }

    string ReadLine()
    {
        int end = Array.IndexOf(data, (byte)'\n', pos);
        if (end < 0) throw Bad("GLOBAL without a newline-terminated name");
        var line = Encoding.UTF8.GetString(data, pos, end - pos);
        pos = end + 1;
        return line;
    }

    /// <summary>Python's little-endian two's-complement long; anything past 64 bits is refused.</summary>
    object ReadLong(int length)
    {
        if (length > 8) throw Bad($"an integer of {length} bytes does not fit in 64 bits");
        var bytes = Take(length);
        long value = 0;
        for (int i = length - 1; i >= 0; i--) value = (value << 8) | bytes[i];
        if (length is > 0 and < 8 && (bytes[^1] & 0x80) != 0) value -= 1L << (8 * length);
        return value;
    }

    internal static string Describe(object? value) => value switch
    {
        null => "None",
        PickleDict => "dict",
        List<object?> => "list",
        object?[] => "tuple",
        _ => value.GetType().Name,
    };
}
