"""Parent-facing description of how seats are allocated (shown on the site as is)."""

HELP_TEXT_ZH = """\
名额如何分配
1. 志愿填报期内，每位学生按喜好顺序填报最多3个志愿，填报早晚不影响结果，无需抢报。
2. 首先让尽可能多的学生至少获得一个名额。
3. 其次按学校公布的优先顺序照顾政策优先组：\
留守儿童、随迁子女、残疾儿童、家庭困难、双职工家庭；\
同一组内，上学期未获得第一志愿的学生优先。
4. 再尽量让每位学生获得更靠前的志愿：\
只要不让同组或更优先的学生变差，就不会让任何学生拿到更靠后的志愿。
5. 再尽量让兄弟姐妹（包括在不同学校的）在同样的日子、同样的时间下课，方便一次接走。
6. 可选多个项目的学生，先保证所有学生的第一个名额，再从剩余名额中分配第二个名额。
7. 仍然相同时，按抽签号决定，抽签号小者优先。抽签种子在志愿填报开始前以哈希值（sha256）公布，\
分配时公开种子原文；每位学生的抽签号由 sha256（种子:学生编号）计算，\
任何人都可以重新运行分配并得到完全相同的结果。
8. 每位学生都会看到说明：获得了第几志愿，更靠前的志愿为什么没有获得（名额已满、时间冲突），\
有多少同组学生填报，以及自己的抽签号。剩余名额在分配结束后按先到先得开放。"""

HELP_TEXT_EN = """\
How seats are allocated
1. During the preference window each child ranks up to 3 choices. When you submit does not \
matter: there is no race.
2. First, as many children as possible get at least one seat.
3. Next, the priority groups, in the order the school publishes: left-behind children, \
migrant workers' children, disabled children, low-income families, dual-earner families; within \
a group, children who missed their first choice last term come first.
4. Next, better choices: no child gets a lower choice where a higher one was possible without \
making a child of equal or higher priority worse off.
5. Next, siblings (also at different schools) get seats ending at the same time on the same days, \
so they can be collected together.
6. Children allowed more than one activity get their second seat only after every child's \
first seat has been allocated, from the seats left.
7. Remaining ties go to the lower lottery number. The lottery seed's sha256 hash is published \
before the window opens and the seed itself at allocation; each child's number comes from \
sha256(seed:pupil id), so anyone can re-run the allocation and get exactly the same result.
8. Every child gets an explanation: which choice was given, why better choices were not (full, \
time clash), how many children of the same group asked for them, and the lottery number. Seats \
left over open first-come afterwards."""
