/** What the cross-institution tests share: the all-in-one deployment and its story. */
export { apiClient, seedDemo, startDari, walkStory as walkStoryForTest, type Dari, type DemoCredentials, type StoryStep } from '../../src/all-in-one/index.ts';
