namespace Dspt.Bench;
