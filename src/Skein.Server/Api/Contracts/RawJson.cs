using System.Buffers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Skein.Server.Api.Contracts;

/// <summary>
/// JSON the store already holds serialized (step contents), copied into a response as UTF-8 instead of being
/// parsed into a tree and serialized again: a long timeline is mostly such contents. The store wrote it with
/// System.Text.Json, so it is valid JSON.
/// </summary>
[JsonConverter(typeof(Converter))]
public readonly struct RawJson
{
    private readonly byte[] _utf8;

    public RawJson(string json)
        : this(Encoding.UTF8.GetBytes(json)) { }

    private RawJson(byte[] utf8) => _utf8 = utf8;

    public override string ToString() => Encoding.UTF8.GetString(_utf8 ?? []);

    /// <summary>The same JSON without the given keys (UTF-8) of its top-level object; any other value is kept as
    /// is.</summary>
    public RawJson WithoutKeys(IReadOnlyList<byte[]> keys)
    {
        var reader = new Utf8JsonReader(_utf8);
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
        {
            return this;
        }

        // Copy each kept "name": value pair as it is, so nothing but the dropped pairs is rewritten.
        var output = new ArrayBufferWriter<byte>(_utf8.Length);
        output.Write("{"u8);
        var first = true;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var start = (int)reader.TokenStartIndex;
            var dropped = false;
            for (var i = 0; i < keys.Count && !dropped; i++)
            {
                dropped = reader.ValueTextEquals(keys[i]);
            }

            reader.Read();
            reader.Skip();
            if (!dropped)
            {
                output.Write(first ? [] : ","u8);
                output.Write(_utf8.AsSpan(start, (int)reader.BytesConsumed - start));
                first = false;
            }
        }

        output.Write("}"u8);
        return new RawJson(output.WrittenSpan.ToArray());
    }

    public sealed class Converter : JsonConverter<RawJson>
    {
        public override RawJson Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
        {
            using var document = JsonDocument.ParseValue(ref reader);
            return new RawJson(document.RootElement.GetRawText());
        }

        public override void Write(Utf8JsonWriter writer, RawJson value, JsonSerializerOptions options)
        {
            if (value._utf8 is null)
            {
                writer.WriteNullValue();
            }
            else
            {
                writer.WriteRawValue(value._utf8, skipInputValidation: true);
            }
        }
    }
}
