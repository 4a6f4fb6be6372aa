using System.Buffers.Binary;
using System.Text.Json;
using static TorchSharp.torch;

namespace Dspt.IO;

public sealed record SafetensorsEntry(string Name, string DType, long[] Shape, long Begin, long End);

public sealed record SafetensorsHeader(
    IReadOnlyList<SafetensorsEntry> Entries,
    IReadOnlyDictionary<string, string> Metadata,
    long DataStart);

/// <summary>
/// The safetensors format (8-byte little-endian header length, JSON header, raw little-endian data).
/// The header is validated completely before any data is trusted: a malformed or hostile file
/// fails with a message that names the file and the field.
/// </summary>
public static class Safetensors
{
    /// <summary>The reference implementation refuses headers over 100 MB; so do we.</summary>
    public const long MaxHeaderBytes = 100_000_000;

    /// <summary>LibTorch's own limit on tensor dims.</summary>
    const int MaxRank = 64;

    static readonly Dictionary<string, (ScalarType Type, int Size)> DTypes = new()
    {
        ["F64"] = (ScalarType.Float64, 8),
        ["F32"] = (ScalarType.Float32, 4),
        ["F16"] = (ScalarType.Float16, 2),
        ["BF16"] = (ScalarType.BFloat16, 2),
        ["I64"] = (ScalarType.Int64, 8),
        ["I32"] = (ScalarType.Int32, 4),
        ["I16"] = (ScalarType.Int16, 2),
        ["I8"] = (ScalarType.Int8, 1),
        ["U8"] = (ScalarType.Byte, 1),
        ["BOOL"] = (ScalarType.Bool, 1),
    };

    public static string DTypeName(ScalarType type) =>
        DTypes.FirstOrDefault(kv => kv.Value.Type == type).Key
        ?? throw new InvalidInputException($"safetensors cannot store dtype {type}");

    public static SafetensorsHeader ReadHeader(string path)
    {
        using var stream = OpenRead(path);
        return ReadHeader(stream, path);
    }

    static FileStream OpenRead(string path) => InputFile.OpenRead(path);

    static SafetensorsHeader ReadHeader(FileStream stream, string path)
    {
        long fileLength = stream.Length;
        if (fileLength < 8)
            throw new InvalidInputException($"{path}: not a safetensors file: {fileLength} bytes, expected at least the 8-byte header length");
        Span<byte> lengthBytes = stackalloc byte[8];
        stream.ReadExactly(lengthBytes);
        ulong headerLength = BinaryPrimitives.ReadUInt64LittleEndian(lengthBytes);
        if (headerLength > MaxHeaderBytes)
            throw new InvalidInputException($"{path}: safetensors header length {headerLength} exceeds the limit of {MaxHeaderBytes} bytes");
        if ((long)headerLength > fileLength - 8)
            throw new InvalidInputException($"{path}: safetensors header length {headerLength} runs past the end of the file ({fileLength} bytes)");
        var headerBytes = new byte[headerLength];
        stream.ReadExactly(headerBytes);
        long dataStart = 8 + (long)headerLength;
        long dataLength = fileLength - dataStart;

        JsonDocument doc;
        try { doc = JsonDocument.Parse(headerBytes); }
        catch (JsonException e) { throw new InvalidInputException($"{path}: safetensors header is not valid JSON: {e.Message}", e); }
        using var _ = doc;
        JsonFile.CheckStrings(doc.RootElement, $"{path} (safetensors header)");
        if (doc.RootElement.ValueKind != JsonValueKind.Object)
            throw new InvalidInputException($"{path}: safetensors header must be a JSON object");

        var entries = new List<SafetensorsEntry>();
        var metadata = new Dictionary<string, string>();
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var prop in doc.RootElement.EnumerateObject())
        {
            // JSON allows a name twice and the last one would silently win.
            if (!names.Add(prop.Name))
                throw new InvalidInputException($"{path}: the safetensors header names '{prop.Name}' twice; each tensor may appear once");
            if (prop.Name == "__metadata__")
            {
                if (prop.Value.ValueKind != JsonValueKind.Object)
                    throw new InvalidInputException($"{path}: '__metadata__' must be an object of strings");
                var keys = new HashSet<string>(StringComparer.Ordinal);
                foreach (var m in prop.Value.EnumerateObject())
                {
                    if (!keys.Add(m.Name))
                        throw new InvalidInputException($"{path}: '__metadata__' names '{m.Name}' twice");
                    if (m.Value.ValueKind != JsonValueKind.String)
                        throw new InvalidInputException($"{path}: '__metadata__.{m.Name}' must be a string");
                    metadata[m.Name] = m.Value.GetString()!;
                }
                continue;
            }
            entries.Add(ParseEntry(path, prop, dataLength));
        }

        // The spec requires the data buffer to be covered exactly: no overlap, no hole.
        long expected = 0;
        foreach (var e in entries.OrderBy(e => e.Begin).ThenBy(e => e.End))
        {
            if (e.Begin < expected)
                throw new InvalidInputException($"{path}: tensor '{e.Name}' data_offsets [{e.Begin}, {e.End}) overlap another tensor's data");
            if (e.Begin > expected)
                throw new InvalidInputException($"{path}: tensor '{e.Name}' starts at {e.Begin} but the previous data ends at {expected} (a hole in the data buffer)");
            expected = e.End;
        }
        if (expected != dataLength)
            throw new InvalidInputException($"{path}: tensors cover {expected} bytes of data but the file holds {dataLength} bytes after the header");
        return new SafetensorsHeader(entries, metadata, dataStart);
    }

    static SafetensorsEntry ParseEntry(string path, JsonProperty prop, long dataLength)
    {
        string name = prop.Name;
        var v = prop.Value;
        if (v.ValueKind != JsonValueKind.Object)
            throw new InvalidInputException($"{path}: tensor '{name}' header must be an object with dtype, shape, data_offsets");
        if (!v.TryGetProperty("dtype", out var dtypeEl) || dtypeEl.ValueKind != JsonValueKind.String)
            throw new InvalidInputException($"{path}: tensor '{name}' has no string field 'dtype'");
        string dtype = dtypeEl.GetString()!;
        if (!DTypes.TryGetValue(dtype, out var info))
            throw new InvalidInputException($"{path}: tensor '{name}' has unsupported dtype '{dtype}' (expected one of {string.Join(", ", DTypes.Keys)})");
        if (!v.TryGetProperty("shape", out var shapeEl) || shapeEl.ValueKind != JsonValueKind.Array)
            throw new InvalidInputException($"{path}: tensor '{name}' has no array field 'shape'");
        if (shapeEl.GetArrayLength() > MaxRank)
            throw new InvalidInputException($"{path}: tensor '{name}' shape has {shapeEl.GetArrayLength()} dims; at most {MaxRank} are supported");
        var shape = new long[shapeEl.GetArrayLength()];
        long numel = 1, span = 1;
        int i = 0;
        foreach (var d in shapeEl.EnumerateArray())
        {
            if (d.ValueKind != JsonValueKind.Number || !d.TryGetInt64(out long dim) || dim < 0)
                throw new InvalidInputException($"{path}: tensor '{name}' shape[{i}] must be a non-negative integer");
            shape[i++] = dim;
            // span: the strides of an empty tensor still multiply its other dims.
            try { numel = checked(numel * dim); span = checked(span * Math.Max(dim, 1) * 16); }
            catch (OverflowException) { throw new InvalidInputException($"{path}: tensor '{name}' shape is too large"); }
        }
        if (!v.TryGetProperty("data_offsets", out var offEl) || offEl.ValueKind != JsonValueKind.Array || offEl.GetArrayLength() != 2)
            throw new InvalidInputException($"{path}: tensor '{name}' needs 'data_offsets' = [begin, end]");
        var offs = offEl.EnumerateArray().Select(o =>
            o.ValueKind == JsonValueKind.Number && o.TryGetInt64(out long x) && x >= 0 ? x
            : throw new InvalidInputException($"{path}: tensor '{name}' data_offsets must be non-negative integers")).ToArray();
        long begin = offs[0], end = offs[1];
        if (end < begin)
            throw new InvalidInputException($"{path}: tensor '{name}' data_offsets [{begin}, {end}) end before they begin");
        if (end > dataLength)
            throw new InvalidInputException($"{path}: tensor '{name}' data_offsets [{begin}, {end}) run past the end of the data ({dataLength} bytes)");
        long expectedBytes;
        try { expectedBytes = checked(numel * info.Size); }
        catch (OverflowException) { throw new InvalidInputException($"{path}: tensor '{name}' shape is too large"); }
        if (end - begin != expectedBytes)
            throw new InvalidInputException($"{path}: tensor '{name}' has {end - begin} bytes but dtype {dtype} and shape [{string.Join(", ", shape)}] need {expectedBytes}");
        return new SafetensorsEntry(name, dtype, shape, begin, end);
    }

    /// <summary>Loads every tensor in its stored dtype, on the CPU.</summary>
    public static Dictionary<string, Tensor> Load(string path) => Load(path, out _);

    public static Dictionary<string, Tensor> Load(string path, out IReadOnlyDictionary<string, string> metadata)
    {
        using var stream = OpenRead(path);
        var header = ReadHeader(stream, path);
        metadata = header.Metadata;
        var result = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        foreach (var e in header.Entries)
        {
            var t = empty(e.Shape, DTypes[e.DType].Type);
            result[e.Name] = t;
            if (e.End > e.Begin)
            {
                stream.Position = header.DataStart + e.Begin;
                try { stream.ReadExactly(t.bytes); }
                catch (Exception ex) when (ex is IOException or EndOfStreamException)
                {
                    foreach (var r in result.Values) r.Dispose();
                    throw new InvalidInputException($"{path}: cannot read tensor '{e.Name}': {ex.Message}", ex);
                }
            }
        }
        return result;
    }

    /// <summary>Writes tensors (sorted by name) atomically: a temporary file is renamed over the target.</summary>
    public static void Save(string path, IReadOnlyDictionary<string, Tensor> tensors, IReadOnlyDictionary<string, string>? metadata = null)
    {
        var names = tensors.Keys.OrderBy(k => k, StringComparer.Ordinal).ToList();
        var header = new Dictionary<string, object>();
        if (metadata is { Count: > 0 }) header["__metadata__"] = metadata;
        long offset = 0;
        var contiguous = new List<Tensor>();
        try
        {
            foreach (var name in names)
            {
                var t = tensors[name].detach().cpu().contiguous();
                contiguous.Add(t);
                long bytes = t.numel() * t.element_size();
                header[name] = new Dictionary<string, object>
                {
                    ["dtype"] = DTypeName(t.dtype),
                    ["shape"] = t.shape,
                    ["data_offsets"] = new[] { offset, offset + bytes },
                };
                offset += bytes;
            }
            var json = JsonSerializer.SerializeToUtf8Bytes(header);
            int padded = (json.Length + 7) / 8 * 8;
            var headerBytes = new byte[padded];
            json.CopyTo(headerBytes, 0);
            for (int i = json.Length; i < padded; i++) headerBytes[i] = (byte)' ';
            AtomicFile.Write(path, stream =>
            {
                Span<byte> len = stackalloc byte[8];
                BinaryPrimitives.WriteUInt64LittleEndian(len, (ulong)padded);
                stream.Write(len);
                stream.Write(headerBytes);
                foreach (var t in contiguous)
                    if (t.numel() > 0) stream.Write(t.bytes);
            });
        }
        finally
        {
            foreach (var t in contiguous) t.Dispose();
        }
    }
}
