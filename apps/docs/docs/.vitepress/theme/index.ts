// The default theme, with the layout fixes in fit.css (code blocks and figures fit the column on a laptop and a phone).
import DefaultTheme from 'vitepress/theme';
import './fit.css';

export default DefaultTheme;
