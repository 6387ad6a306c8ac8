type Todo = { id: number; title: string; done: boolean };

const list = document.querySelector<HTMLUListElement>("#todos")!;
const input = document.querySelector<HTMLInputElement>("#new-todo")!;
let todos: Todo[] = JSON.parse(localStorage.getItem("todos") ?? "[]");

function render(): void {
  list.innerHTML = "";
  for (const todo of todos) {
    const item = document.createElement("li");
    item.textContent = todo.title;
    item.classList.toggle("done", todo.done);
    item.addEventListener("click", () => {
      todo.done = !todo.done;
      save();
    });
    list.appendChild(item);
  }
}

function save(): void {
  localStorage.setItem("todos", JSON.stringify(todos));
  render();
}

input.addEventListener("keydown", (event) => {
  if (event.key !== "Enter" || input.value.trim() === "") {
    return;
  }
  todos = [...todos, { id: Date.now(), title: input.value.trim(), done: false }];
  input.value = "";
  save();
});

render();
