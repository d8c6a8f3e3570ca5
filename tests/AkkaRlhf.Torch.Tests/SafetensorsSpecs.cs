using System.Buffers.Binary;
using System.Text;

namespace AkkaRlhf.Torch.Tests;

public class SafetensorsSpecs
{
    [Fact]
    public void Safetensors_must_round_trip_every_supported_dtype_and_metadata()
    {
        using var scope = torch.NewDisposeScope();
        var tensors = new Dictionary<string, Tensor>
        {
            ["f32"] = torch.tensor(new float[] { 1.5f, -2, 3, 4, 5, 6 }, [2, 3]),
            ["f64"] = torch.tensor(new double[] { Math.PI }),
            ["f16"] = torch.tensor(new float[] { 0.5f, 2 }).to(ScalarType.Float16),
            ["bf16"] = torch.tensor(new float[] { 0.25f, -8 }).to(ScalarType.BFloat16),
            ["i64"] = torch.tensor(new long[] { long.MinValue, 7 }),
            ["i32"] = torch.tensor(new[] { -5, 5 }),
            ["i16"] = torch.tensor(new short[] { -3 }),
            ["i8"] = torch.tensor(new sbyte[] { -128, 127 }),
            ["u8"] = torch.tensor(new byte[] { 0, 255 }),
            ["bool"] = torch.tensor(new[] { true, false, true }),
            ["empty"] = torch.zeros([0, 4]),
            ["scalar"] = torch.scalar_tensor(2.5),
        };
        var path = Path.Combine(Path.GetTempPath(), $"st-{Guid.NewGuid():N}.safetensors");
        try
        {
            Safetensors.Save(path, tensors, new Dictionary<string, string> { ["format"] = "pt", ["step"] = "12" });
            var header = BinaryPrimitives.ReadUInt64LittleEndian(File.ReadAllBytes(path));
            Assert.Equal(0UL, header % 8);
            var (loaded, meta) = Safetensors.Load(path);
            Assert.Equal("12", meta["step"]);
            Assert.Equal(tensors.Keys.Order(), loaded.Keys.Order());
            foreach (var (k, t) in tensors)
            {
                Assert.Equal(t.dtype, loaded[k].dtype);
                Assert.Equal(t.shape, loaded[k].shape);
                Assert.Equal(t.ToBytes(), loaded[k].ToBytes());
                loaded[k].Dispose();
            }
        }
        finally { File.Delete(path); }
    }

    private static byte[] File_(string headerJson, int dataBytes, long? declaredLength = null)
    {
        var h = Encoding.UTF8.GetBytes(headerJson);
        var bytes = new byte[8 + h.Length + dataBytes];
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, (ulong)(declaredLength ?? h.Length));
        h.CopyTo(bytes, 8);
        return bytes;
    }

    private static string Reject(byte[] bytes)
    {
        var e = Assert.Throws<SafetensorsFormatException>(() => Safetensors.Deserialize(bytes, "bad.safetensors"));
        Assert.StartsWith("bad.safetensors: invalid safetensors file", e.Message);
        return e.Message;
    }

    [Fact]
    public void A_valid_hand_written_file_must_load()
    {
        var bytes = File_("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}", 8);
        BitConverter.GetBytes(1.5f).CopyTo(bytes, bytes.Length - 8);
        var (t, _) = Safetensors.Deserialize(bytes);
        Assert.Equal(new float[] { 1.5f, 0 }, t["a"].ToArray<float>());
    }

    [Fact]
    public void A_truncated_file_must_be_rejected()
    {
        Assert.Contains("truncated", Reject(File_("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}", 4)));
        Assert.Contains("truncated", Reject(new byte[5]));
    }

    [Fact]
    public void Overlapping_offsets_must_be_rejected() =>
        Assert.Contains("overlap", Reject(File_(
            "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[4,12]}}", 12)));

    [Fact]
    public void A_gap_or_trailing_bytes_must_be_rejected()
    {
        Assert.Contains("gap", Reject(File_("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}", 8)));
        Assert.Contains("trailing", Reject(File_("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}", 8)));
    }

    [Fact]
    public void A_header_larger_than_the_file_must_be_rejected() =>
        Assert.Contains("larger than the file", Reject(File_("{}", 0, declaredLength: 1000)));

    [Fact]
    public void An_unknown_dtype_must_be_rejected() =>
        Assert.Contains("unknown dtype \"F33\"", Reject(File_("{\"a\":{\"dtype\":\"F33\",\"shape\":[1],\"data_offsets\":[0,4]}}", 4)));

    [Fact]
    public void A_duplicate_key_must_be_rejected() =>
        Assert.Contains("duplicate key \"a\"", Reject(File_(
            "{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}", 8)));

    [Fact]
    public void Offsets_that_disagree_with_the_shape_must_be_rejected() =>
        Assert.Contains("needs 8 bytes", Reject(File_("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,4]}}", 4)));

    [Fact]
    public void A_header_that_is_not_json_must_be_rejected() =>
        Assert.Contains("not valid JSON", Reject(File_("{\"a\":", 0)));
}
