/**
 * `compute` with its answers kept by key, for the work a warm function (or the local stack) meets again and again:
 * at most `kept` answers, then all forgotten at once, so memory stays bounded whatever the keys.
 */
export const memoized = <K, V>(compute: (key: K) => V, kept: number) => {
  const answers = new Map<K, V>();
  return (key: K): V => {
    let answer = answers.get(key);
    if (answer === undefined) {
      if (answers.size >= kept) answers.clear();
      answers.set(key, (answer = compute(key)));
    }
    return answer;
  };
};
