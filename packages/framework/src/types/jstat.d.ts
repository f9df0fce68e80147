/**
 * jStat ships no type declarations; this declares the one function the framework calls
 * (harness/statistics.ts): the Student-t inverse cumulative distribution.
 */
declare module 'jstat' {
  const jstat: {
    jStat: {
      studentt: {
        /** Inverse CDF of Student's t with `dof` degrees of freedom at probability `p`. */
        inv(p: number, dof: number): number;
      };
    };
  };
  export default jstat;
}
