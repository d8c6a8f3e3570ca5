using AkkaRlhf.Actors.Pipeline;

namespace AkkaRlhf.Actors.Tests;

/// <summary>The coordinator's messaging share of a phase (<see cref="PhaseTimer"/>): what its wall time has beyond its longest piece of work.</summary>
public sealed class PhaseTimerSpecs
{
    [Fact]
    public void A_phase_must_count_the_messaging_of_the_answer_it_waited_for_last()
    {
        // one remote request: its whole messaging is on the path
        Assert.Equal(0.004, PhaseTimer.Messaging([(0.030, 0.004)]), 12);
        // the last answer worked 26 ms and spent 4 in messaging; the other's 6 ms of messaging hid behind that work
        Assert.Equal(0.004, PhaseTimer.Messaging([(0.030, 0.004), (0.020, 0.006)]), 12);
        // the last answer's messaging is only partly beyond the other's longer work (28 ms): 2 ms count
        Assert.Equal(0.002, PhaseTimer.Messaging([(0.030, 0.010), (0.028, 0.000)]), 12);
    }

    [Fact]
    public void A_phase_whose_longest_work_is_in_this_process_must_count_no_messaging()
    {
        // the learner (local, 45 ms) outlasts the critic on another node (answered at 30 ms, 5 of them messaging)
        Assert.Equal(0, PhaseTimer.Messaging([(0.045, 0), (0.030, 0.005)]));
        Assert.Equal(0, PhaseTimer.Messaging([]));
    }
}
