namespace AkkaRlhf.Torch.Tests;

public class ErrorSpecs
{
    [Fact]
    public void Shape_mismatch_must_throw_a_dotnet_exception_with_libtorchs_message_and_the_next_op_must_work()
    {
        using var scope = torch.NewDisposeScope();
        var a = torch.ones([2, 3]);
        var b = torch.ones([4, 5]);
        var e = Assert.Throws<TorchException>(() => a.matmul(b));
        Assert.Contains("cannot be multiplied", e.Message);
        Assert.DoesNotContain("Exception raised from", e.Message);   // no C++ backtrace
        var e2 = Assert.Throws<TorchException>(() => a + b);
        Assert.Contains("must match the size", e2.Message);
        // The process survives and the next op works.
        Assert.Equal(6.0, (a * 1).sum().item());
    }

    [Fact]
    public async Task Errors_on_one_thread_must_not_leak_into_another()
    {
        using var scope = torch.NewDisposeScope();
        var a = torch.ones([2]);
        Assert.Throws<TorchException>(() => a.view(3));
        var fromOther = await Task.Run(() =>
        {
            using var s = torch.NewDisposeScope();
            return torch.ones([3]).sum().item();
        });
        Assert.Equal(3.0, fromOther);
    }

    [Fact]
    public void Using_a_disposed_tensor_must_throw_object_disposed()
    {
        var t = torch.ones([2]);
        t.Dispose();
        Assert.Throws<ObjectDisposedException>(() => t.sum());
        Assert.Throws<ObjectDisposedException>(() => torch.cat([t]));
    }
}
